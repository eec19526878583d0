from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET


@require_GET
def worker(request: HttpRequest) -> HttpResponse:
    """The service worker, from the site's root so that its scope covers the office pages."""
    body = render_to_string(
        "offline/sw.js",
        {"office": reverse("units:home"), "static": settings.STATIC_URL},
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
