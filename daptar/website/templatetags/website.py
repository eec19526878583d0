"""Public-site addresses in the reader's language, and absolute ones for sharing."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language

register = template.Library()


def english() -> bool:
    return (get_language() or "bn").startswith("en")


@register.simple_tag
def public_url(name: str, *args: object) -> str:
    """`{% public_url "report" r.pk r.slug %}`: /reports/… on Bengali pages, /en/reports/… else."""
    return reverse(f"website:{'en_' if english() else ''}{name}", args=args)


@register.filter
def absolute(path: str) -> str:
    """A site path as the full address the world links to (DAPTAR_SITE_URL)."""
    return settings.DAPTAR_SITE_URL.rstrip("/") + path
