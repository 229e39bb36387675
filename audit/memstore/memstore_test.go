package memstore_test

import (
	"testing"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/audit/memstore"
	"github.com/tenantry/tenantry/audit/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) audit.Store { return memstore.New() })
}

func TestConformanceShared(t *testing.T) {
	s := memstore.New() // one store for every subtest, as the SQL stores run
	storetest.Run(t, func(t *testing.T) audit.Store { return s })
}
