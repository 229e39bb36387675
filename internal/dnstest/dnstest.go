// Package dnstest runs a real DNS server on loopback for tests. It is built
// on github.com/miekg/dns, answers over UDP and TCP on 127.0.0.1, serves the
// TXT records a test sets, answers NXDOMAIN for names it does not know and
// a chosen response code (SERVFAIL, say) for names told to fail, and hands
// out a *net.Resolver (the pure-Go resolver) that asks only this server.
package dnstest

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// maxTXTString is the longest character-string one TXT record may hold;
// longer values are split into several strings of one record.
const maxTXTString = 255

// Server is a loopback DNS server started by Start. Its methods are safe
// for concurrent use, also while it answers queries.
type Server struct {
	addr string
	udp  *dns.Server
	tcp  *dns.Server

	mu    sync.Mutex
	txt   map[string][]string // canonical name -> TXT values
	fails map[string]int      // canonical name -> response code
}

// Start starts a server listening on 127.0.0.1, on the same free port for
// UDP and TCP, and shuts it down when the test ends (t.Cleanup). It knows no
// name until SetTXT or Fail is called.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{txt: map[string][]string{}, fails: map[string]int{}}
	pc, l, err := listen()
	if err != nil {
		t.Fatalf("dnstest: listen: %v", err)
	}
	s.addr = pc.LocalAddr().String()
	handler := dns.HandlerFunc(s.serve)
	s.udp = &dns.Server{PacketConn: pc, Handler: handler}
	s.tcp = &dns.Server{Listener: l, Handler: handler}
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		errc := make(chan error, 1)
		go func() { errc <- srv.ActivateAndServe() }()
		select {
		case <-started:
		case err := <-errc:
			_ = pc.Close()
			_ = l.Close()
			t.Fatalf("dnstest: serve: %v", err)
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.udp.ShutdownContext(ctx)
		_ = s.tcp.ShutdownContext(ctx)
	})
	return s
}

// listen opens a UDP socket on a free loopback port and a TCP listener on
// the same port, trying again on another port if TCP's is taken.
func listen() (net.PacketConn, net.Listener, error) {
	var lastErr error
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		l, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, l, nil
		}
		lastErr = err
		_ = pc.Close()
	}
	return nil, nil, errors.Join(errors.New("no free port for both UDP and TCP"), lastErr)
}

// Addr returns the address the server answers on, UDP and TCP alike
// ("127.0.0.1:PORT").
func (s *Server) Addr() string { return s.addr }

// Resolver returns a pure-Go resolver (PreferGo) that sends every query to
// this server, over UDP and, for truncated answers, TCP. The system's
// search domains still apply to names without a trailing dot; the server
// answers NXDOMAIN for those.
func (s *Server) Resolver() *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, s.addr)
		},
	}
}

// SetTXT makes the server answer TXT queries for name (case-insensitive,
// with or without the trailing dot) with one record per value, replacing
// what it answered before for name, failure included. A value longer than
// 255 bytes is sent as several strings of one record, which a resolver
// joins back. With no value, name exists but has no TXT record (NOERROR,
// no answer).
func (s *Server) SetTXT(name string, values ...string) {
	key := canonical(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.txt[key] = append([]string(nil), values...)
	delete(s.fails, key)
}

// Remove forgets name: its records and its failure. The server then
// answers NXDOMAIN for it.
func (s *Server) Remove(name string) {
	key := canonical(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.txt, key)
	delete(s.fails, key)
}

// Fail makes the server answer every query for name with the response code
// rcode and no record, for instance dns.RcodeServerFailure (2, SERVFAIL) or
// dns.RcodeRefused (5), until SetTXT or Remove is called for name.
func (s *Server) Fail(name string, rcode int) {
	key := canonical(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails[key] = rcode
}

// canonical returns the lower-case, fully qualified form of a name.
func canonical(name string) string { return dns.CanonicalName(name) }

// serve answers one query.
func (s *Server) serve(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	if len(req.Question) != 1 {
		m.SetRcode(req, dns.RcodeFormatError)
		_ = w.WriteMsg(m)
		return
	}
	m.SetReply(req)
	m.Authoritative = true
	q := req.Question[0]
	key := canonical(q.Name)

	s.mu.Lock()
	rcode, failing := s.fails[key]
	values, known := s.txt[key]
	values = append([]string(nil), values...)
	s.mu.Unlock()

	switch {
	case failing:
		m.Rcode = rcode
	case !known:
		m.Rcode = dns.RcodeNameError
	case q.Qtype == dns.TypeTXT || q.Qtype == dns.TypeANY:
		for _, v := range values {
			m.Answer = append(m.Answer, &dns.TXT{
				Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 0},
				Txt: split(v),
			})
		}
	}
	size := dns.MaxMsgSize
	if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
		size = dns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil {
			size = int(opt.UDPSize())
		}
	}
	m.Truncate(size)
	_ = w.WriteMsg(m)
}

// split cuts a value into TXT character-strings of at most 255 bytes,
// escaping the characters that miekg/dns reads as presentation format.
func split(v string) []string {
	var parts []string
	for {
		n := min(len(v), maxTXTString)
		parts = append(parts, escape(v[:n]))
		v = v[n:]
		if v == "" {
			return parts
		}
	}
}

// escape writes a raw byte string in the zone-file form that dns.TXT
// expects: backslash and double quote escaped, bytes outside printable
// ASCII as \DDD.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' || c == '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c > '~':
			b.WriteByte('\\')
			d := strconv.Itoa(int(c))
			b.WriteString(strings.Repeat("0", 3-len(d)) + d)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
