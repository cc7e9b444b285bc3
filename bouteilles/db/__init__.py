"""The database plumbing: engines and sessions, the driver-level statements of the scan's
hot path, SQLite's writer queue and group commit. Imports nothing of the domain.
"""
