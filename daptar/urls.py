from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter

from daptar.accounts import api as accounts_api
from daptar.directives import api as directives_api
from daptar.units import api as units_api

router = DefaultRouter()
router.register("units", units_api.UnitViewSet, basename="unit")
router.register("directives", directives_api.DirectiveViewSet, basename="directive")

api = [
    path("auth/token/", accounts_api.token, name="token"),
    path("me/", accounts_api.me, name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]

handler404 = "daptar.lib.errorpages.not_found"
handler500 = "daptar.lib.errorpages.server_error"

urlpatterns = [
    path("", include("daptar.website.urls")),
    path("office/", include("daptar.units.urls")),
    path("office/people/", include("daptar.people.urls")),
    path("office/directives/", include("daptar.directives.urls")),
    path("office/notifications/", include("daptar.notifications.urls")),
    path("office/audit/", include("daptar.audit.urls")),
    path("accounts/", include("daptar.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api, "api"))),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
