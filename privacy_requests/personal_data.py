"""Registers every app's personal-data categories (filled in by issue #5's work)."""
