"""The API's JSON parser: bounded in size and depth, and no text that cannot be stored.

DRF's parser reads the stream whole, hands it to ``json.loads`` and lets a
``RecursionError`` from a deeply nested body escape as a 500. This one
answers 400 for a body larger than ``API_JSON_MAX_BYTES``, nested deeper
than ``API_JSON_MAX_DEPTH`` or not UTF-8, and refuses a string holding an
unpaired UTF-16 surrogate ("\\ud800") with an error on the field that holds
it: such a string cannot be encoded, stored or echoed back.
"""

import json
import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers
from rest_framework.settings import api_settings

LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class BodyRefused(exceptions.ParseError):
    """A body refused for its shape, not its syntax: the message says why."""


def _max_bytes() -> int:
    return getattr(settings, "API_JSON_MAX_BYTES", 1024 * 1024)


def _max_depth() -> int:
    return getattr(settings, "API_JSON_MAX_DEPTH", 32)


def _check(value, *, depth: int, field: str) -> None:
    """Walk the parsed body once: too deep, or a string that is not valid Unicode."""
    if depth > _max_depth():
        raise BodyRefused(_("The request body is nested too deeply."))
    if isinstance(value, str):
        if LONE_SURROGATE.search(value):
            raise exceptions.ValidationError({field: [_("This text contains characters that are not valid Unicode.")]})
    elif isinstance(value, dict):
        for key, item in value.items():
            if LONE_SURROGATE.search(key):
                raise exceptions.ValidationError(
                    {
                        api_settings.NON_FIELD_ERRORS_KEY: [
                            _("A field name contains characters that are not valid Unicode.")
                        ]
                    }
                )
            _check(item, depth=depth + 1, field=key if depth == 0 else field)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth=depth + 1, field=field)


class BoundedJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = _max_bytes()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise BodyRefused(_("The request body is too large."))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BodyRefused(_("The request body is not valid UTF-8.")) from None
        try:
            data = json.loads(text, parse_constant=self._refuse_constant) if text else None
        except RecursionError:
            raise BodyRefused(_("The request body is nested too deeply.")) from None
        except ValueError:
            raise exceptions.ParseError() from None
        _check(data, depth=0, field=api_settings.NON_FIELD_ERRORS_KEY)
        return data

    @staticmethod
    def _refuse_constant(name: str):
        # NaN and Infinity are not JSON; DRF's strict mode refuses them too.
        raise ValueError(f"{name} is not valid JSON")
