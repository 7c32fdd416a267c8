"""Which platform services used a person's data, and when (clause 3.1)."""
