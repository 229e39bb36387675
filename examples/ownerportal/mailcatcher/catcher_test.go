package mailcatcher_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/examples/ownerportal/mailcatcher"
	invsmtp "github.com/tenantry/tenantry/invites/smtp"
)

var testNow = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func start(t *testing.T, opts ...mailcatcher.Option) *mailcatcher.Catcher {
	t.Helper()
	c, err := mailcatcher.Start("127.0.0.1:0", opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, c.Close()) })
	return c
}

func wait(t *testing.T, c *mailcatcher.Catcher, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, c.Wait(ctx, n))
}

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

// multipartRaw is a message as a typical mailer writes it: encoded From
// name and Subject, a quoted-printable text part and a base64 HTML part.
const multipartRaw = `From: =?UTF-8?q?Zo=C3=AB_from_Acme?= <noreply@acme.test>
To: Alice <alice@example.com>
Subject: =?UTF-8?b?RWlubGFkdW5nOiBTdHJhw59lICYgQ2Fmw6kg4pyT?=
Date: Sat, 14 Mar 2026 10:00:00 +0100
Message-ID: <1@acme.test>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

Hello Alice,
accept: https://portal.test/invite/abc?x=3D1&y=3D2.
Stra=C3=9Fe caf=C3=A9, a long line that is soft-broken by the quoted-printa=
ble encoding.
--b1
Content-Type: text/html; charset=UTF-8
Content-Transfer-Encoding: base64

PHA+SGVsbG8gPGI+QWxpY2U8L2I+LCA8YSBocmVmPSJodHRwczovL3BvcnRhbC50ZXN0L2ludml0
ZS9hYmM/eD0xJmFtcDt5PTIiPmFjY2VwdDwvYT4gU3RyYcOfZTwvcD4=
--b1--
`

func TestNetSMTPMultipart(t *testing.T) {
	ids := 0
	c := start(t,
		mailcatcher.WithClock(func() time.Time { return testNow.In(time.FixedZone("X", 3600)) }),
		mailcatcher.WithNewID(func() string { ids++; return "m" + strconv.Itoa(ids) }),
	)
	require.NoError(t, smtp.SendMail(c.Addr(), nil, "bounce@acme.test",
		[]string{"alice@example.com", "audit@acme.test"}, crlf(multipartRaw)))
	wait(t, c, 1)

	msgs := c.Messages()
	require.Len(t, msgs, 1)
	m := msgs[0]
	assert.Equal(t, "m1", m.ID)
	assert.Equal(t, "Zoë from Acme <noreply@acme.test>", m.From)
	assert.Equal(t, []string{"alice@example.com", "audit@acme.test"}, m.To)
	assert.Equal(t, "Einladung: Straße & Café ✓", m.Subject)
	assert.Equal(t, time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC), m.Date)
	assert.Equal(t, time.UTC, m.Date.Location())
	assert.Equal(t, testNow, m.ReceivedAt)
	assert.Equal(t, time.UTC, m.ReceivedAt.Location())
	assert.Equal(t, "Hello Alice,\naccept: https://portal.test/invite/abc?x=1&y=2.\n"+
		"Straße café, a long line that is soft-broken by the quoted-printable encoding.", m.Text)
	assert.Equal(t, `<p>Hello <b>Alice</b>, <a href="https://portal.test/invite/abc?x=1&amp;y=2">accept</a> Straße</p>`, m.HTML)
	assert.Equal(t, []string{"https://portal.test/invite/abc?x=1&y=2"}, m.Links())
	assert.Equal(t, crlf(multipartRaw), m.Raw)

	got, ok := c.Message("m1")
	require.True(t, ok)
	assert.Equal(t, m, got)
	_, ok = c.Message("nope")
	assert.False(t, ok)

	// Messages returns a copy.
	msgs[0].To[0] = "changed"
	assert.Equal(t, "alice@example.com", c.Messages()[0].To[0])
}

func TestInvitesMailer(t *testing.T) {
	c := start(t)
	host, port, err := net.SplitHostPort(c.Addr())
	require.NoError(t, err)
	p, err := strconv.Atoi(port)
	require.NoError(t, err)
	mailer, err := invsmtp.New(invsmtp.Config{Host: host, Port: p, TLS: invsmtp.NoTLS, Timeout: 5 * time.Second, HELO: "portal.test"})
	require.NoError(t, err)

	msg := invsmtp.Message{
		FromName:    "Zoë Ünternehmen — Tenantry",
		FromAddress: "no-reply@tenantry.example",
		To:          "Alice <alice@example.com>",
		Subject:     "Einladung: Straße & Café ✓",
		Text:        "Hello Alice,\nclick https://tenantry.example/i/abc?x=1&y=2\nÄÖÜ ß\n",
		HTML:        `<p>Hello <b>Alice</b>, <a href="https://tenantry.example/i/abc?x=1&amp;y=2">accept</a> ÄÖÜ ß</p>`,
	}
	require.NoError(t, mailer.Send(context.Background(), msg))
	wait(t, c, 1)

	m := c.Messages()[0]
	assert.Equal(t, `Zoë Ünternehmen — Tenantry <no-reply@tenantry.example>`, m.From)
	assert.Equal(t, []string{"alice@example.com"}, m.To)
	assert.Equal(t, msg.Subject, m.Subject)
	assert.False(t, m.Date.IsZero())
	assert.Equal(t, msg.Text, m.Text)
	assert.Equal(t, msg.HTML, m.HTML)
	assert.Equal(t, []string{"https://tenantry.example/i/abc?x=1&y=2"}, m.Links())
}

func simpleMessage(subject string) []byte {
	return crlf("From: a@acme.test\nTo: b@example.com\nSubject: " + subject + "\n\nbody of " + subject + "\n")
}

func TestBoundKeepsTheNewest(t *testing.T) {
	c := start(t)
	// One connection, many transactions: quicker than one dial each.
	cl, err := smtp.Dial(c.Addr())
	require.NoError(t, err)
	defer cl.Close()
	const n = mailcatcher.DefaultMaxMessages + 5
	for i := range n {
		require.NoError(t, cl.Mail("a@acme.test"))
		require.NoError(t, cl.Rcpt("b@example.com"))
		w, err := cl.Data()
		require.NoError(t, err)
		_, err = w.Write(simpleMessage("no " + strconv.Itoa(i)))
		require.NoError(t, err)
		require.NoError(t, w.Close())
	}
	require.NoError(t, cl.Quit())
	wait(t, c, n)

	msgs := c.Messages()
	require.Len(t, msgs, mailcatcher.DefaultMaxMessages)
	assert.Equal(t, "no "+strconv.Itoa(n-1), msgs[0].Subject, "newest first")
	assert.Equal(t, "no 5", msgs[len(msgs)-1].Subject, "the oldest 5 are dropped")
}

func TestWithMaxMessages(t *testing.T) {
	c := start(t, mailcatcher.WithMaxMessages(2))
	for i := range 3 {
		require.NoError(t, smtp.SendMail(c.Addr(), nil, "a@acme.test", []string{"b@example.com"}, simpleMessage("s"+strconv.Itoa(i))))
	}
	wait(t, c, 3)
	msgs := c.Messages()
	require.Len(t, msgs, 2)
	assert.Equal(t, "s2", msgs[0].Subject)
	assert.Equal(t, "s1", msgs[1].Subject)
}

func TestSizeLimit(t *testing.T) {
	c := start(t, mailcatcher.WithMaxMessageBytes(64<<10))
	head := "From: a@acme.test\r\nTo: b@example.com\r\nSubject: big\r\n\r\n"
	line := strings.Repeat("x", 98) + "\r\n"
	big := []byte(head + strings.Repeat(line, (64<<10)/len(line)+1))
	err := smtp.SendMail(c.Addr(), nil, "a@acme.test", []string{"b@example.com"}, big)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "552")

	// The server is still fine and takes a message below the limit.
	require.NoError(t, smtp.SendMail(c.Addr(), nil, "a@acme.test", []string{"b@example.com"}, simpleMessage("small")))
	wait(t, c, 1)
	msgs := c.Messages()
	require.Len(t, msgs, 1, "the big message is not kept")
	assert.Equal(t, "small", msgs[0].Subject)
}

func TestDefaultSizeLimitIs1MB(t *testing.T) {
	c := start(t)
	head := "From: a@acme.test\r\nTo: b@example.com\r\nSubject: big\r\n\r\n"
	line := strings.Repeat("x", 998) + "\r\n"
	under := []byte(head + strings.Repeat(line, (1<<20-len(head))/len(line)))
	require.NoError(t, smtp.SendMail(c.Addr(), nil, "a@acme.test", []string{"b@example.com"}, under))
	over := []byte(head + strings.Repeat(line, (1<<20)/len(line)+1))
	require.Error(t, smtp.SendMail(c.Addr(), nil, "a@acme.test", []string{"b@example.com"}, over))
	wait(t, c, 1)
	assert.Len(t, c.Messages(), 1)
}

func TestConcurrentSenders(t *testing.T) {
	c := start(t)
	const senders, each = 16, 5
	var wg sync.WaitGroup
	errs := make(chan error, senders*each)
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				subject := fmt.Sprintf("s%d-%d", s, i)
				errs <- smtp.SendMail(c.Addr(), nil, "a@acme.test", []string{"b@example.com"}, simpleMessage(subject))
			}
		})
	}
	// Readers race with the writers.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 50 {
			for _, m := range c.Messages() {
				_, _ = c.Message(m.ID)
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	wait(t, c, senders*each)
	<-done

	seen := map[string]bool{}
	ids := map[string]bool{}
	for _, m := range c.Messages() {
		seen[m.Subject] = true
		ids[m.ID] = true
	}
	assert.Len(t, seen, senders*each)
	assert.Len(t, ids, senders*each, "IDs are unique")
}

func TestWait(t *testing.T) {
	c, err := mailcatcher.Start("127.0.0.1:0")
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = c.Wait(ctx, 1)
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, c.Wait(ctx, 0), "nothing to wait for")

	// A waiter started before the message arrives wakes up for it.
	got := make(chan error, 1)
	go func() { got <- c.Wait(context.Background(), 1) }()
	require.NoError(t, smtp.SendMail(c.Addr(), nil, "a@acme.test", []string{"b@example.com"}, simpleMessage("x")))
	require.NoError(t, <-got)

	// Close wakes a waiter that would never be satisfied.
	go func() { got <- c.Wait(context.Background(), 2) }()
	require.NoError(t, c.Close())
	require.ErrorIs(t, <-got, mailcatcher.ErrClosed)
	require.NoError(t, c.Close(), "Close twice")
	require.NoError(t, c.Wait(context.Background(), 1), "already there")
	assert.Len(t, c.Messages(), 1, "messages stay readable after Close")

	_, err = net.DialTimeout("tcp", c.Addr(), time.Second)
	require.Error(t, err, "no longer listening")
}

func TestLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "[::]:0", "example.com:25"} {
		_, err := mailcatcher.Start(addr)
		require.ErrorIs(t, err, mailcatcher.ErrNotLoopback, addr)
	}
	_, err := mailcatcher.Start("no-port")
	require.Error(t, err)

	c, err := mailcatcher.Start("localhost:0")
	require.NoError(t, err)
	require.NoError(t, c.Close())

	c, err = mailcatcher.Start("[::1]:0")
	if err != nil && !errors.Is(err, mailcatcher.ErrNotLoopback) {
		t.Logf("no IPv6 loopback here: %v", err)
	} else {
		require.NoError(t, err)
		require.NoError(t, c.Close())
	}
}

func TestInvalidOptions(t *testing.T) {
	for _, o := range []mailcatcher.Option{
		mailcatcher.WithMaxMessages(0),
		mailcatcher.WithMaxMessageBytes(0),
		mailcatcher.WithClock(nil),
		mailcatcher.WithNewID(nil),
	} {
		_, err := mailcatcher.Start("127.0.0.1:0", o)
		require.Error(t, err)
	}
}
