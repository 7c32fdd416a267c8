from django.utils.functional import SimpleLazyObject

from .selectors import inbox_unread_count


def inbox(request):
    """The unread count in the header, counted only if a template asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread_count": SimpleLazyObject(lambda: inbox_unread_count(user=user))}
