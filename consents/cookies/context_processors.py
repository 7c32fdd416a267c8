from django.utils.functional import SimpleLazyObject

from .selectors import cookie_choice_for


def cookie_banner(request):
    """The cookie choice for the banner and the analytics script in ``base.html``.

    Lazy: pages that never show the banner cost no query.
    """
    return {"cookie_banner": SimpleLazyObject(lambda: cookie_choice_for(request=request))}
