"""Consent reporting for privacy officers: who agreed to what, over time, and a CSV by subject id."""
