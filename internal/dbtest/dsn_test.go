package dbtest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPostgresDSN(t *testing.T) {
	for _, c := range []struct {
		base, user, addr string
		port             int64
		want             string
	}{
		{"postgres://u:pw@db:5432/postgres?sslmode=disable", "", "", 0, "postgres://u:pw@db:5432/x?sslmode=disable"},
		{"host=db user=u", "", "", 0, "host=db user=u dbname=x"},
		{"", "postgres", "127.0.0.1", 5433, "postgres://postgres@127.0.0.1:5433/x?sslmode=disable"},
		{"", "postgres", "::1", 5433, "postgres://postgres@[::1]:5433/x?sslmode=disable"},
	} {
		got, err := postgresDSN(c.base, "x", c.user, c.addr, c.port)
		require.NoError(t, err)
		require.Equal(t, c.want, got)
	}
	_, err := postgresDSN("", "x", "postgres", "", 0)
	require.Error(t, err, "a Unix socket connection cannot be located")
}
