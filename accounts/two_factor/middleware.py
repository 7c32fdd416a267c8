class SecondFactorStepMiddleware:
    """Placeholder until the two-factor step is built (issue #3, in progress)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
