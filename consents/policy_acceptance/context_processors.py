def policy_banner(request):
    """Placeholder until the policy-change banner is built (issue #4, in progress)."""
    return {}
