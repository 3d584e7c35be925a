"""Benchmarks behind ``make bench`` (``python -m bench``)."""
