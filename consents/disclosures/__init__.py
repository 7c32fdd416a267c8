"""Disclosures: who received people's personal data, when and why (issue #6, clauses 5.2-5.3)."""
