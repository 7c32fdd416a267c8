"""Template helpers shared by every page."""

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

from accounts.display import person_display_name
from core.url_paths import url_paths

register = template.Library()


@register.filter
def display_name(user) -> str:
    """How the portal names a person: family name first, else their email.

    Never the username: it is an internal handle that means nothing to
    people and must not appear on pages or in messages.
    """
    if user is None:
        return ""
    name = f"{user.last_name}{user.first_name}".strip()
    return name or user.email


@register.filter
def field_anchor(field) -> str:
    """The id of the input an error summary's link leads to: the field's own, or its first choice's.

    A group of radios or checkboxes has no single input (Django gives its
    label no ``for``), so the link goes to the first option.
    """
    if field.id_for_label:
        return field.id_for_label
    subwidgets = field.subwidgets
    if subwidgets and subwidgets[0].id_for_label:
        return subwidgets[0].id_for_label
    return field.auto_id or ""


@register.filter
def signed_in_name(user) -> str:
    """Who the header says is signed in; "" when there is nothing to show.

    Not ``display_name``: first and last name are whatever the account was
    given. The rule (verified name, else masked contact, never the handle) is
    ``accounts.display.person_display_name``, shared with the sign-in message.
    """
    return person_display_name(user)


# Rendered fragments by (name, language, URL configuration, values varied on); a few per language.
_FRAGMENTS: dict[tuple, str] = {}
_FRAGMENTS_MAX = 256


class _ConstantFragmentNode(template.Node):
    def __init__(self, nodelist, name: str, vary_on: list):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context) -> str:
        key = (
            self.name,
            get_language(),
            get_urlconf(),
            get_script_prefix(),
            *(str(variable.resolve(context)) for variable in self.vary_on),
        )
        fragment = _FRAGMENTS.get(key)
        if fragment is None:
            fragment = self.nodelist.render(context)
            if len(_FRAGMENTS) >= _FRAGMENTS_MAX:
                _FRAGMENTS.clear()
            _FRAGMENTS[key] = fragment
        return fragment


@register.tag
def constant_fragment(parser, token):
    """``{% constant_fragment "name" var … %}…{% endconstant_fragment %}``: rendered once per process and language.

    For the parts of every page that depend on nothing but the language and
    the values named after the fragment's name (the navigation, the footer):
    their dozen URL reversals and translations cost a page about a
    millisecond. Keep anything of the person or the request (a name, a CSRF
    token, a path) out of it, or name it as a value to vary on.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("constant_fragment needs a name")
    nodelist = parser.parse(("endconstant_fragment",))
    parser.delete_first_token()
    return _ConstantFragmentNode(nodelist, bits[1].strip("\"'"), [parser.compile_filter(bit) for bit in bits[2:]])


@register.simple_tag
def fixed_url(name: str) -> str:
    """``{% fixed_url 'app:name' %}``: ``{% url %}`` for a name without arguments, reversed once per process.

    A page's panels and banners link a dozen such names; each ``reverse()``
    walks the resolver (about a tenth of a millisecond) for a path that only
    the URL configuration and the script prefix can change (core.url_paths).
    """
    (path,) = url_paths(name)
    # An unknown name fails as {% url %} would, rather than linking to "None".
    return reverse(name) if path is None else path
