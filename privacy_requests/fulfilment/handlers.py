"""Imports every fulfilment module so their handlers register (filled in by issue #5's work)."""
