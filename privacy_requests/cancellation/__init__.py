"""Account cancellation: the confirmation, the cooling-off window, reversal, erasure (clause 8.5)."""
