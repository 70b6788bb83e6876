"""Benchmarks: a province-scale load generator and a phase-by-phase timing harness (issue 9)."""
