"""Internal notes on a rights request (issue #15): staff write them for each other.

A note is working material, never part of what the citizen reads: it is not
in the citizen's request page, their export or the API, and nothing sends
it anywhere. Writing one is audited (the event holds ids, not the text).
"""
