from django.urls import include, path
from django.urls.resolvers import URLPattern

from daptar.website import views

app_name = "website"


def pages(lang: str) -> list[URLPattern]:
    """The public pages in one language: Bengali at /, English mirrored under /en/."""
    prefix = "en_" if lang == "en" else ""
    kw = {"lang": lang}
    return [
        path("", views.home, kw, name=f"{prefix}home"),
        path("reports/", views.report_list, kw, name=f"{prefix}reports"),
        path("reports/<int:report_id>/", views.report_short, kw, name=f"{prefix}report_short"),
        path("reports/<int:report_id>/<str:slug>/", views.report, kw, name=f"{prefix}report"),
        path("feed/", views.feed, kw, name=f"{prefix}feed"),
        path("feed/district/<str:code>/", views.feed, kw, name=f"{prefix}district_feed"),
    ]


urlpatterns = [
    *pages("bn"),
    path("en/", include(pages("en"))),
    path(
        "photos/<int:photo_id>/<str:digest>/<int:width>.<str:fmt>",
        views.photo,
        name="photo",
    ),
    # Addresses given out before renditions were named by their hash keep working.
    path(
        "photos/<int:photo_id>/<int:width>.<str:fmt>", views.photo_unhashed, name="photo_unhashed"
    ),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("sitemap-reports-<int:number>.xml", views.sitemap_page, name="sitemap_page"),
    path("robots.txt", views.robots, name="robots"),
]
