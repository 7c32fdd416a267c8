"""Reminders to finish what a person started (issue #15): confirming their address, verifying identity.

At most two per step, after 3 and 10 days, none once the step is done or
the person turned reminders off. Each reminder (step, number) is a
notifications fan-out whose audience grows day by day: its per-person
records are what makes a rerun send nothing twice.
"""
