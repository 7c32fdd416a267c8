def cookie_banner(request):
    """Placeholder until the cookie banner is built (issue #4, in progress)."""
    return {}
