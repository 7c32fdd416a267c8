"""Survey invitations (issue #15): staff invite the people who consented to surveys.

Each copy carries a signed link of the person's own (``links``) that
withdraws the survey consent without signing in, through the same
``consent_withdraw`` as the dashboard.
"""
