"""Benchmarks: ``python -m benchmarks.<name>`` prints JSON (see docs/benchmarks.md)."""
