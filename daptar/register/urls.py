from django.urls import path

from daptar.register import views

app_name = "register"
urlpatterns = [
    path("", views.home, name="home"),
    path("counts/", views.counts, name="counts"),
    path("lists/<slug:name>/", views.list_view, name="list"),
    path("units/<int:unit_id>/committee/", views.unit_committee, name="unit_committee"),
    path("committees/<int:committee_id>/", views.committee, name="committee"),
    path("committees/<int:committee_id>/<slug:decision>/", views.decide, name="decide"),
    path("units/<int:unit_id>/duplicates/", views.duplicates, name="duplicates"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:batch_id>/", views.import_detail, name="import"),
    path("people/<int:person_id>/", views.person_history, name="person"),
    path("figures/", views.figures, name="figures"),
]
