"""``HasServiceScope(scope)``: a service client whose token carries the scope."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from .principal import ServiceToken


class HasServiceScope(BasePermission):
    """Use as ``permission_classes = [HasServiceScope(CONSENT_CHECK)]``.

    ``HasServiceScope(scope)`` is an instance; DRF instantiates each entry of
    ``permission_classes`` by calling it, which returns the instance itself.
    A call without credentials is left to DRF (401); a person's session or a
    token without the scope is refused with 403 and a message that says which.
    """

    def __init__(self, scope: str):
        self.scope = scope

    def __call__(self):
        return self

    def __repr__(self):
        return f"HasServiceScope({self.scope!r})"

    def has_permission(self, request, view):
        principal = request.auth
        if not isinstance(principal, ServiceToken):
            if request.user and request.user.is_authenticated:
                raise PermissionDenied(_("This endpoint answers registered service clients only."))
            return False
        if not principal.has_scope(self.scope):
            raise PermissionDenied(
                _("This client's access token does not carry the scope %(scope)s.") % {"scope": self.scope}
            )
        return True
