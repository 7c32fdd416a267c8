"""Overdue alerts (issue #15): a daily digest for staff, and escalation of overdue requests.

Every working morning each assignee is told which of their requests are
overdue or due within 3 working days, and the privacy officers which are
overdue or have nobody on them. A request that goes overdue is escalated to
the privacy officers once: recorded on the request (``escalated_at``), on
its staff timeline and in the audit log.
"""
