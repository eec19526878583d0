from importlib import import_module

from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.authtoken.models import TokenProxy
from rest_framework.routers import DefaultRouter

from daptar.accounts import api as accounts_api
from daptar.accounts import views as accounts_views
from daptar.people import api as people_api
from daptar.units import api as units_api

# Each domain app serves its office pages under /office/<app>/ and lists its API
# viewsets in api.ROUTES; adding an app here wires both.
DOMAIN_APPS = [
    "directives",
    "reports",
    "returns",
    "meetings",
    "letters",
    "dashboard",
    "social",
    "register",
]

router = DefaultRouter()
router.register("units", units_api.UnitViewSet, basename="unit")
router.register("people", people_api.PersonViewSet, basename="person")
for _app in DOMAIN_APPS:
    for _prefix, _viewset, _basename in import_module(f"daptar.{_app}.api").ROUTES:
        router.register(_prefix, _viewset, basename=_basename)

api = [
    path("auth/token/", accounts_api.token, name="token"),
    path("me/", accounts_api.me, name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]

# Not for the admin: API keys are read by nobody (a user revokes their own on the token
# page), and permissions come from desks, not Django groups. Here, because the admin
# registers every app's models before the URLconf loads.
for _model in (TokenProxy, Group):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

handler404 = "daptar.lib.errorpages.not_found"
handler500 = "daptar.lib.errorpages.server_error"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("daptar.website.urls")),
    path("office/", include("daptar.units.urls")),
    path("office/people/", include("daptar.people.urls")),
    *[path(f"office/{app}/", include(f"daptar.{app}.urls")) for app in DOMAIN_APPS],
    path("office/notifications/", include("daptar.notifications.urls")),
    path("office/audit/", include("daptar.audit.urls")),
    path("sms/", include("daptar.sms.urls")),
    path("accounts/", include("daptar.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin signs in through the office login, which asks for the second factor.
    path("admin/login/", accounts_views.admin_login),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api, "api"))),
    path("", include("daptar.offline.urls")),
]
