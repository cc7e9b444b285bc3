"""Exports: EPCIS 2.0 documents, and a month's events read for them."""
