"""Benchmarks (``make bench``): each module measures one capability and writes JSON + a table."""
