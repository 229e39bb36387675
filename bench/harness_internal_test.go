package bench

import (
	"crypto/sha256"
	"testing"
)

// work hashes a block n times: a fixed amount of CPU work.
func work(n int) func() error {
	return func() error {
		var sum [32]byte
		for range n {
			sum = sha256.Sum256(sum[:])
		}
		return nil
	}
}

// TestRatioReports: ratio reports both sides and their quotient, here for
// a tenantry side doing twice the baseline's work.
func TestRatioReports(t *testing.T) {
	res := testing.Benchmark(func(b *testing.B) { ratio(b, work(4000), work(2000)) })
	x := res.Extra["x-baseline"]
	if x < 1.3 || x > 3 {
		t.Fatalf("x-baseline = %.2f, want about 2 (extra %v)", x, res.Extra)
	}
	if res.Extra["tenantry-ns/op"] <= res.Extra["baseline-ns/op"] {
		t.Fatalf("tenantry side not the slower: %v", res.Extra)
	}
}

// TestRatioBatchReports: ratioBatch reports per-operation figures whatever
// the batch size.
func TestRatioBatchReports(t *testing.T) {
	res := testing.Benchmark(func(b *testing.B) {
		ratioBatch(b, 7, func(int) error { return work(40)() }, func(int) error { return work(20)() })
	})
	x := res.Extra["x-baseline"]
	if x < 1.3 || x > 3 {
		t.Fatalf("x-baseline = %.2f, want about 2 (extra %v)", x, res.Extra)
	}
}
