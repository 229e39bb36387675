package memstore_test

import (
	"testing"

	"github.com/tenantry/tenantry/branding/memstore"
	"github.com/tenantry/tenantry/branding/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		s := memstore.New(nil)
		return storetest.Harness{Store: s, Audit: s.Audit()}
	})
}

func TestConformanceShared(t *testing.T) {
	s := memstore.New(nil) // one store for every subtest, as the SQL stores run
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		return storetest.Harness{Store: s, Audit: s.Audit()}
	})
}
