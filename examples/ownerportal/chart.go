package main

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/tenantry/tenantry/tenancy"
)

// The chart's geometry, in SVG user units.
const (
	chartWidth      = 640
	chartPlotLeft   = 56
	chartPlotRight  = chartWidth - 16
	chartPlotTop    = 16
	chartPlotBottom = 176
	chartLegendTop  = chartPlotBottom + 40 // first legend row's baseline
	chartLegendRow  = 20
	chartDay        = 24 * time.Hour
)

// chartPalette gives each series its colour: the theme's colours first (as
// CSS custom properties, so the chart follows the platform's branding), then
// fixed ones. Because two theme colours can be equal (button and link are by
// default), each series also has its own dash pattern.
var chartPalette = []struct {
	style template.CSS // the line's stroke (and halo)
	dash  string
}{
	{"stroke:var(--tenantry-button, #1d4ed8)", "none"},
	{"stroke:var(--tenantry-link, #0f766e)", "6 3"},
	// The status colour can be a light background tint (#f3f4f6 by
	// default): a thin dark halo keeps its line visible on a light page.
	{"stroke:var(--tenantry-status, #b45309);filter:drop-shadow(0 0 0.8px var(--tenantry-status-text, #1f2937))", "2 3"},
	{"stroke:#7c3aed", "10 3 2 3"},
	{"stroke:#be123c", "none"},
	{"stroke:#0e7490", "6 3"},
}

type chartSeries struct {
	Name            string
	Total           string
	Points          string
	Style           template.CSS
	Dash            string
	LegendY, LabelY int
}

type chartTick struct {
	Pos      string // x (month ticks) or y (value ticks) of the tick
	Label    string
	LabelPos string
}

type chartData struct {
	Title, Summary string
	Width, Height  int
	Left, Right    int
	Top, Bottom    int
	TickEnd        int    // lower end of the month ticks
	Zero           string // y of the value 0
	Months         []chartTick
	Values         []chartTick
	Series         []chartSeries
}

// activityChart draws an account's activity series (tenancy.Service.Activity)
// as an inline SVG line chart of their last 3 months: one line per metric,
// month labels, a value axis and a legend with each metric's name and total.
// It is drawn on the server, needs no script, and its output depends only on
// series. Metric names come from the host, so every text goes through
// html/template. Without any activity it draws a small "No activity yet".
func activityChart(series []tenancy.ActivitySeries) template.HTML {
	data, ok := chartLayout(series)
	if !ok {
		return chartRender(chartEmptyTmpl, nil)
	}
	return chartRender(chartTmpl, data)
}

func chartRender(t *template.Template, data any) template.HTML {
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		// Only a bug in the templates below can get here.
		return template.HTML(`<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0" role="img" aria-label="Chart unavailable"></svg>`)
	}
	return template.HTML(b.String())
}

// chartLayout computes the chart; ok is false when there is nothing to draw.
func chartLayout(series []tenancy.ActivitySeries) (data chartData, ok bool) {
	// The days charted: up to the latest series end, at most the activity
	// window back.
	var start, end time.Time
	for i, s := range series {
		from, to := chartSpan(s)
		if i == 0 || from.Before(start) {
			start = from
		}
		if i == 0 || to.After(end) {
			end = to
		}
	}
	if floor := end.Add(-tenancy.ActivityWindow); start.Before(floor) {
		start = floor
	}
	days := int(end.Sub(start)/chartDay) + 1

	// Each series' values on those days; the value range.
	values := make([][]int64, len(series))
	present := make([][]bool, len(series))
	var lo, hi int64
	active := false
	for i, s := range series {
		values[i] = make([]int64, days)
		present[i] = make([]bool, days)
		from, _ := chartSpan(s)
		for d, v := range s.Days {
			idx := int(from.Add(time.Duration(d)*chartDay).Sub(start) / chartDay)
			if idx < 0 || idx >= days {
				continue
			}
			values[i][idx] += v
			present[i][idx] = true
		}
		for _, v := range values[i] {
			lo, hi = min(lo, v), max(hi, v)
			active = active || v != 0
		}
	}
	if !active {
		return chartData{}, false
	}

	step := chartNiceStep((hi - lo + 3) / 4)
	lo = chartFloorDiv(lo, step) * step
	hi = -chartFloorDiv(-hi, step) * step
	if hi == lo {
		hi = lo + step
	}
	plotW := float64(chartPlotRight - chartPlotLeft)
	plotH := float64(chartPlotBottom - chartPlotTop)
	x := func(i int) float64 {
		if days == 1 {
			return chartPlotLeft + plotW/2
		}
		return chartPlotLeft + plotW*float64(i)/float64(days-1)
	}
	y := func(v int64) float64 {
		return chartPlotBottom - plotH*float64(v-lo)/float64(hi-lo)
	}

	data = chartData{
		Title:  "Activity, last 3 months",
		Width:  chartWidth,
		Height: chartLegendTop + chartLegendRow*(len(series)-1) + 12,
		Left:   chartPlotLeft, Right: chartPlotRight,
		Top: chartPlotTop, Bottom: chartPlotBottom, TickEnd: chartPlotBottom + 4,
		Zero: chartCoord(y(0)),
	}
	for v := lo; v <= hi; v += step {
		data.Values = append(data.Values, chartTick{Pos: chartCoord(y(v)), Label: chartNumber(v), LabelPos: chartCoord(y(v) + 4)})
	}
	for i := range days {
		day := start.Add(time.Duration(i) * chartDay)
		if day.Day() != 1 && !(i == 0 && days < 28) {
			continue
		}
		label := day.Format("Jan")
		if len(data.Months) == 0 || day.Month() == time.January {
			label = day.Format("Jan 2006")
		}
		if day.Day() != 1 {
			label = day.Format("2 Jan 2006")
		}
		lx := min(max(x(i), chartPlotLeft+24), chartWidth-24)
		data.Months = append(data.Months, chartTick{Pos: chartCoord(x(i)), Label: label, LabelPos: chartCoord(lx)})
	}

	summary := []string{"Activity from " + start.Format("2 Jan 2006") + " to " + end.Format("2 Jan 2006")}
	for i, s := range series {
		var pts []string
		var total int64
		for d, v := range values[i] {
			if !present[i][d] {
				continue
			}
			total += v
			pts = append(pts, chartCoord(x(d))+","+chartCoord(y(v)))
		}
		p := chartPalette[i%len(chartPalette)]
		data.Series = append(data.Series, chartSeries{
			Name:    s.Metric,
			Total:   chartNumber(total),
			Points:  strings.Join(pts, " "),
			Style:   p.style,
			Dash:    p.dash,
			LegendY: chartLegendTop + chartLegendRow*i - 4,
			LabelY:  chartLegendTop + chartLegendRow*i,
		})
		summary = append(summary, s.Metric+" "+chartNumber(total))
	}
	data.Summary = strings.Join(summary, "; ") + "."
	return data, true
}

// chartSpan returns the first and last day of a series, UTC midnight; a
// series without To ends len(Days)-1 days after From.
func chartSpan(s tenancy.ActivitySeries) (from, to time.Time) {
	from = s.From.UTC().Truncate(chartDay)
	to = s.To.UTC().Truncate(chartDay)
	if s.To.IsZero() || to.Before(from) {
		to = from.Add(time.Duration(max(len(s.Days)-1, 0)) * chartDay)
	}
	return from, to
}

// chartNiceStep returns the smallest of 1, 2, 5, 10, 20, 50, ... that is at
// least n.
func chartNiceStep(n int64) int64 {
	for p := int64(1); ; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if m*p >= n || m*p > 1e17 {
				return m * p
			}
		}
	}
}

func chartFloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func chartCoord(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// chartNumber formats a count for a label: 1,234 up to 9,999, then 12.3k,
// 4.5M and 6.7B.
func chartNumber(v int64) string {
	neg := v < 0
	u := v
	if neg {
		u = -v
	}
	var s string
	switch {
	case u >= 1e9:
		s = chartShort(u, 1e9) + "B"
	case u >= 1e6:
		s = chartShort(u, 1e6) + "M"
	case u >= 1e4:
		s = chartShort(u, 1e3) + "k"
	case u >= 1e3:
		s = strconv.FormatInt(u/1000, 10) + "," + strconv.FormatInt(u%1000+1000, 10)[1:]
	default:
		s = strconv.FormatInt(u, 10)
	}
	if neg {
		return "−" + s
	}
	return s
}

func chartShort(u, unit int64) string {
	s := strconv.FormatFloat(float64(u)/float64(unit), 'f', 1, 64)
	return strings.TrimSuffix(s, ".0")
}

var chartTmpl = template.Must(template.New("chart").Parse(
	`<svg xmlns="http://www.w3.org/2000/svg" class="activity-chart" viewBox="0 0 {{.Width}} {{.Height}}" width="{{.Width}}" height="{{.Height}}" style="max-width:100%;height:auto" role="img" aria-label="{{.Summary}}">` +
		`<title>{{.Title}}</title><desc>{{.Summary}}</desc>` +
		`<g font-size="11" style="fill:var(--tenantry-text, #374151)">` +
		`{{range .Values}}<line x1="{{$.Left}}" x2="{{$.Right}}" y1="{{.Pos}}" y2="{{.Pos}}" stroke="currentColor" stroke-opacity="0.12"/>` +
		`<text x="{{$.Left}}" dx="-6" y="{{.LabelPos}}" text-anchor="end">{{.Label}}</text>{{end}}` +
		`{{range .Months}}<line x1="{{.Pos}}" x2="{{.Pos}}" y1="{{$.Top}}" y2="{{$.TickEnd}}" stroke="currentColor" stroke-opacity="0.15"/>` +
		`<text x="{{.LabelPos}}" y="{{$.Bottom}}" dy="18" text-anchor="middle">{{.Label}}</text>{{end}}` +
		`</g>` +
		`<g stroke="currentColor" stroke-opacity="0.5" fill="none">` +
		`<line x1="{{.Left}}" x2="{{.Left}}" y1="{{.Top}}" y2="{{.Bottom}}"/>` +
		`<line x1="{{.Left}}" x2="{{.Right}}" y1="{{.Zero}}" y2="{{.Zero}}"/>` +
		`</g>` +
		`{{range .Series}}<polyline class="series" data-metric="{{.Name}}" points="{{.Points}}" fill="none" stroke-width="2" stroke-linejoin="round" stroke-linecap="round" stroke-dasharray="{{.Dash}}" style="{{.Style}}"><title>{{.Name}}</title></polyline>{{end}}` +
		`<g class="legend" font-size="12" style="fill:var(--tenantry-text, #374151)">` +
		`{{range .Series}}<path d="M{{$.Left}} {{.LegendY}}h24" fill="none" stroke-width="2" stroke-dasharray="{{.Dash}}" style="{{.Style}}"/>` +
		`<text x="{{$.Left}}" dx="32" y="{{.LabelY}}">{{.Name}} · {{.Total}}</text>{{end}}` +
		`</g></svg>`))

var chartEmptyTmpl = template.Must(template.New("chart-empty").Parse(
	`<svg xmlns="http://www.w3.org/2000/svg" class="activity-chart activity-chart-empty" viewBox="0 0 240 48" width="240" height="48" role="img" aria-label="No activity yet">` +
		`<title>No activity yet</title>` +
		`<rect x="0.5" y="0.5" width="239" height="47" rx="6" fill="none" stroke="currentColor" stroke-opacity="0.2"/>` +
		`<text x="120" y="28" text-anchor="middle" font-size="13" style="fill:var(--tenantry-text, #6b7280)">No activity yet</text>` +
		`</svg>`))
