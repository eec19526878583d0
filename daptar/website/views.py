from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from daptar.units.models import Level, Unit


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The organisation's public home page; later issues fill it with published reports."""
    divisions = Unit.objects.filter(depth=1, is_active=True).order_by("name_en")
    return render(
        request,
        "website/home.html",
        {"divisions": divisions, "levels": Level.objects.all()},
    )


@require_GET
def robots(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", "Disallow: /api/", "Disallow: /office/", "Disallow: /admin/"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
