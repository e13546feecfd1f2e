"""Scoped, memoized reads: one module per feature; every scoped read takes a Scope."""
