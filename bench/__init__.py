"""Benchmarks: `python -m bench` prints every table in one run, with ratios against a baseline."""
