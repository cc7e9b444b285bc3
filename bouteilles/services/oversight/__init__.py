"""Oversight: anomalies and the audit of the log, and the replay check of every invariant."""
