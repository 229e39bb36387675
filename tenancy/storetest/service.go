package storetest

import "testing"

// runServiceTests runs the tenancy Service's rules over stores made by
// newHarness (see serviceSuite).
func runServiceTests(t *testing.T, newHarness func(t *testing.T) Harness) {
	serviceSuite(t, newHarness)
}
