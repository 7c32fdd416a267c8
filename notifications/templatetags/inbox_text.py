from django import template

from ..links import message_html

register = template.Library()


@register.filter(name="message_html")
def message_html_filter(text: str):
    """An inbox message's text as paragraphs, with the portal's own links clickable (``notifications.links``)."""
    return message_html(text or "")
