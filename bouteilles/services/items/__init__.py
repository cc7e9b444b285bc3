"""Tracked things: finding them by code, describing them, their codes and GS1 keys, stock
counts, the public page.
"""
