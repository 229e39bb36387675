package main

import (
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFlags(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	o, err := parseFlags(nil, env(nil), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, options{addr: ":8080", db: "ownerportal.db", secretKey: "ownerportal.key"}, o)

	o, err = parseFlags(nil, env(map[string]string{"TENANTRY_DB": "postgres://u@h/db"}), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "postgres://u@h/db", o.db, "TENANTRY_DB replaces the default")

	o, err = parseFlags([]string{"-db", "other.db", "-addr", "127.0.0.1:0"}, env(map[string]string{"TENANTRY_DB": "x.db"}), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, options{addr: "127.0.0.1:0", db: "other.db", secretKey: "ownerportal.key"}, o, "the flag wins over the environment")

	_, err = parseFlags([]string{"extra"}, env(nil), io.Discard)
	assert.Error(t, err)
}

func TestIsPostgres(t *testing.T) {
	assert.True(t, isPostgres("postgres://localhost/db"))
	assert.True(t, isPostgres("postgresql://localhost/db"))
	assert.False(t, isPostgres("ownerportal.db"))
	assert.False(t, isPostgres("postgres.db"))
}

func TestRedact(t *testing.T) {
	assert.Equal(t, "postgres://app:xxxxx@db.example:5432/portal", redact("postgres://app:s3cret@db.example:5432/portal"))
	assert.NotContains(t, redact("postgres://db.example/portal?password=s3cret&sslmode=require"), "s3cret")
}

func TestSiteURL(t *testing.T) {
	assert.Equal(t, "http://localhost:8080", siteURL(&net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}))
	assert.Equal(t, "http://127.0.0.1:18080", siteURL(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 18080}))
	assert.Equal(t, "http://[::1]:80", siteURL(&net.TCPAddr{IP: net.IPv6loopback, Port: 80}))
}
