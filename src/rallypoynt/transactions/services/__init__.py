"""Writes of the transactions app."""
