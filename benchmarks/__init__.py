"""Benchmarks of labreview: run with ``python -m benchmarks`` (see benchmarks/README.md)."""
