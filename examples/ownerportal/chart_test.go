package main

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/tenancy"
)

// chartSVG is the part of the chart the tests look at.
type chartSVG struct {
	XMLName   xml.Name `xml:"svg"`
	Role      string   `xml:"role,attr"`
	Label     string   `xml:"aria-label,attr"`
	Title     string   `xml:"title"`
	Polylines []struct {
		Metric string `xml:"data-metric,attr"`
		Points string `xml:"points,attr"`
		Style  string `xml:"style,attr"`
		Title  string `xml:"title"`
	} `xml:"polyline"`
	Texts []string // every <text> element's content, in order
}

// parseChart checks that out is well-formed XML and decodes it.
func parseChart(t *testing.T, out string) chartSVG {
	t.Helper()
	var svg chartSVG
	require.NoError(t, xml.Unmarshal([]byte(out), &svg), out)
	assert.Equal(t, "http://www.w3.org/2000/svg", svg.XMLName.Space)
	assert.Equal(t, "img", svg.Role)
	assert.NotEmpty(t, svg.Title)
	assert.NotEmpty(t, svg.Label)

	d := xml.NewDecoder(strings.NewReader(out))
	var inText bool
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local == "text" {
				inText = true
				svg.Texts = append(svg.Texts, "")
			}
		case xml.EndElement:
			inText = inText && tok.Name.Local != "text"
		case xml.CharData:
			if inText {
				svg.Texts[len(svg.Texts)-1] += string(tok)
			}
		}
	}
	return svg
}

var chartEnd = time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)

// chartSeriesOf builds a series like tenancy.Service.Activity returns: 93
// days ending on chartEnd, with day i counting f(i).
func chartSeriesOf(metric string, f func(i int) int64) tenancy.ActivitySeries {
	from := chartEnd.Add(-tenancy.ActivityWindow)
	s := tenancy.ActivitySeries{Metric: metric, From: from, To: chartEnd, Days: make([]int64, 93)}
	for i := range s.Days {
		s.Days[i] = f(i)
	}
	return s
}

func chartPoints(t *testing.T, points string) [][2]float64 {
	t.Helper()
	var out [][2]float64
	for _, p := range strings.Fields(points) {
		xs, ys, ok := strings.Cut(p, ",")
		require.True(t, ok, p)
		x, err := strconv.ParseFloat(xs, 64)
		require.NoError(t, err)
		y, err := strconv.ParseFloat(ys, 64)
		require.NoError(t, err)
		out = append(out, [2]float64{x, y})
	}
	return out
}

func TestActivityChart(t *testing.T) {
	series := []tenancy.ActivitySeries{
		chartSeriesOf("messages", func(i int) int64 { return int64(i % 7 * 3) }),
		chartSeriesOf("subscribers", func(i int) int64 { return int64(i / 30) }),
		chartSeriesOf("bookings", func(i int) int64 { return 0 }),
	}
	out := string(activityChart(series))
	assert.Equal(t, out, string(activityChart(series)), "deterministic")
	svg := parseChart(t, out)

	assert.Equal(t, "Activity, last 3 months", svg.Title)
	assert.Contains(t, svg.Label, "12 Dec 2025 to 14 Mar 2026")
	assert.Contains(t, svg.Label, "messages 822")
	assert.Contains(t, svg.Label, "subscribers 99")
	assert.Contains(t, svg.Label, "bookings 0")

	require.Len(t, svg.Polylines, 3, "one line per series")
	styles := []string{"var(--tenantry-button", "var(--tenantry-link", "var(--tenantry-status"}
	for i, metric := range []string{"messages", "subscribers", "bookings"} {
		pl := svg.Polylines[i]
		assert.Equal(t, metric, pl.Metric)
		assert.Equal(t, metric, pl.Title)
		assert.Contains(t, pl.Style, styles[i])
		pts := chartPoints(t, pl.Points)
		require.Len(t, pts, 93, "one point per day")
		for _, p := range pts {
			assert.True(t, p[0] >= chartPlotLeft && p[0] <= chartPlotRight, "x %v inside the plot", p[0])
			assert.True(t, p[1] >= chartPlotTop && p[1] <= chartPlotBottom, "y %v inside the plot", p[1])
		}
		assert.Equal(t, float64(chartPlotLeft), pts[0][0])
		assert.Equal(t, float64(chartPlotRight), pts[92][0])
	}
	// bookings is flat on the zero line, at the bottom of the plot.
	for _, p := range chartPoints(t, svg.Polylines[2].Points) {
		assert.Equal(t, float64(chartPlotBottom), p[1])
	}

	assert.Contains(t, svg.Texts, "Jan 2026")
	assert.Contains(t, svg.Texts, "Feb")
	assert.Contains(t, svg.Texts, "Mar")
	assert.Contains(t, svg.Texts, "0")
	assert.Contains(t, svg.Texts, "messages · 822")
	assert.Contains(t, svg.Texts, "subscribers · 99")
	assert.Contains(t, svg.Texts, "bookings · 0")
}

func TestActivityChartEscapesMetricNames(t *testing.T) {
	const hostile = `<script>alert("x")</script>&amp;'`
	out := string(activityChart([]tenancy.ActivitySeries{chartSeriesOf(hostile, func(i int) int64 { return int64(i) })}))
	assert.NotContains(t, out, "<script")
	assert.NotContains(t, out, `"x"`)
	svg := parseChart(t, out)
	require.Len(t, svg.Polylines, 1)
	assert.Equal(t, hostile, svg.Polylines[0].Metric, "the name survives, escaped")
	assert.Equal(t, hostile, svg.Polylines[0].Title)
	assert.Contains(t, svg.Label, hostile)
	assert.Contains(t, svg.Texts, hostile+" · 4,278")
}

func TestActivityChartEmpty(t *testing.T) {
	for name, series := range map[string][]tenancy.ActivitySeries{
		"nil":          nil,
		"no days":      {{Metric: "messages"}},
		"only zeroes":  {chartSeriesOf("messages", func(int) int64 { return 0 })},
		"out of range": {{Metric: "messages", From: chartEnd.AddDate(-1, 0, 0), To: chartEnd.AddDate(-1, 0, 0), Days: []int64{3}}, chartSeriesOf("x", func(int) int64 { return 0 })},
	} {
		t.Run(name, func(t *testing.T) {
			svg := parseChart(t, string(activityChart(series)))
			assert.Equal(t, "No activity yet", svg.Title)
			assert.Equal(t, "No activity yet", svg.Label)
			assert.Equal(t, []string{"No activity yet"}, svg.Texts)
			assert.Empty(t, svg.Polylines)
		})
	}
}

func TestActivityChartShapes(t *testing.T) {
	t.Run("negative values", func(t *testing.T) {
		svg := parseChart(t, string(activityChart([]tenancy.ActivitySeries{
			chartSeriesOf("subscribers", func(i int) int64 { return int64(50 - i) }),
		})))
		require.Len(t, svg.Polylines, 1)
		for _, p := range chartPoints(t, svg.Polylines[0].Points) {
			assert.True(t, p[1] >= chartPlotTop && p[1] <= chartPlotBottom, "y %v inside the plot", p[1])
		}
		assert.Contains(t, svg.Texts, "−50")
	})
	t.Run("longer than the window", func(t *testing.T) {
		s := tenancy.ActivitySeries{Metric: "m", From: chartEnd.AddDate(0, 0, -199), To: chartEnd, Days: make([]int64, 200)}
		for i := range s.Days {
			s.Days[i] = 20000
		}
		svg := parseChart(t, string(activityChart([]tenancy.ActivitySeries{s})))
		require.Len(t, svg.Polylines, 1)
		assert.Len(t, chartPoints(t, svg.Polylines[0].Points), 93)
		assert.Contains(t, svg.Texts, "20k")
	})
	t.Run("one day, no To", func(t *testing.T) {
		svg := parseChart(t, string(activityChart([]tenancy.ActivitySeries{{Metric: "m", From: chartEnd, Days: []int64{5}}})))
		require.Len(t, svg.Polylines, 1)
		assert.Len(t, chartPoints(t, svg.Polylines[0].Points), 1)
		assert.Contains(t, svg.Texts, "14 Mar 2026")
	})
	t.Run("many series", func(t *testing.T) {
		var series []tenancy.ActivitySeries
		for i := range 8 {
			series = append(series, chartSeriesOf("m"+strconv.Itoa(i), func(d int) int64 { return int64(d * i) }))
		}
		svg := parseChart(t, string(activityChart(series)))
		assert.Len(t, svg.Polylines, 8)
	})
}

func TestChartNumber(t *testing.T) {
	for v, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1234: "1,234", 9999: "9,999",
		12345: "12.3k", 20000: "20k", 1500000: "1.5M", 3e9: "3B", -1234: "−1,234"} {
		assert.Equal(t, want, chartNumber(v), v)
	}
}
