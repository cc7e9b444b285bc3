"""Domain rules and queries: plain functions taking a session, flushing, never committing.

The log itself (events, deposit entries, the state of containers and crates) is
written by one package, `movements`; everything else here reads it.
"""
