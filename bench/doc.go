// Package bench measures tenantry's hot paths beside the baselines a host
// would otherwise write or use (a map, a hand-written query, casbin), on
// the real stores and real databases, so that every figure is a ratio from
// one run. It is a module of its own so its dependencies never reach a
// host's build. See README.md for how to run it and ../BENCHMARKS.md for
// the latest figures.
package bench
