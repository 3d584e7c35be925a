"""Benchmarks behind ``make bench`` (``python -m bench``) and the bulk data they run on (``manage.py seed_bulk``)."""
