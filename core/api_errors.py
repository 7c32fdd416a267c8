"""API refusals of well-formed requests, apart from DRF's 400 for malformed ones.

A body the OpenAPI schema accepts is not refused with 400: when it names
something that does not exist the answer is 404, and when it is well formed
but the current state does not allow it (nothing waiting to accept, a field
this kind of account does not have, a purpose decided elsewhere) it is 409.
Clients can tell "fix your request" from "look at the state first". The body
keeps the field-error shape: a list of messages under the field's name.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException, NotFound


class Conflict(APIException):
    status_code = 409
    default_detail = _("The request cannot be carried out in the current state.")
    default_code = "conflict"


class UnknownReference(NotFound):
    default_detail = _("Something the request names does not exist.")
    default_code = "not_found"
