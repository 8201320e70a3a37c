"""Benchmark scenarios: `rallypoynt bench <name>` (or `python -m bench <name>`) prints JSON."""
