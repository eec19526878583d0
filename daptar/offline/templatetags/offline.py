import uuid

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def once_key() -> SafeString:
    """A form's idempotency key, fresh on every render: sending the same form twice
    (a dropped line, a double tap) makes its write once."""
    return format_html('<input type="hidden" name="idempotency_key" value="{}">', uuid.uuid4().hex)
