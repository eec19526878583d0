"""bench/website.py's URLs: every page of the app, and /bench/bare/ (the framework floor)."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from daptar.urls import handler404, handler500
from daptar.urls import urlpatterns as app_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def bare(request: HttpRequest) -> JsonResponse:
    """No query, no template: what any request through this stack costs at the least."""
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare/", bare), *app_urlpatterns]
