from django.urls import path

from daptar.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("review/", views.review, name="review"),
    path("new/", views.compose, name="new"),
    path("<int:report_id>/", views.detail, name="detail"),
    path("<int:report_id>/edit/", views.compose, name="edit"),
    path("<int:report_id>/submit/", views.submit, name="submit"),
    path("<int:report_id>/approve/", views.approve, name="approve"),
    path("<int:report_id>/return/", views.return_report, name="return"),
    path("<int:report_id>/publish/", views.publish, name="publish"),
    path("<int:report_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:report_id>/photos/", views.add_photos, name="add_photos"),
    path("<int:report_id>/photos/arrange/", views.arrange_photos, name="arrange_photos"),
    path("<int:report_id>/photos/<int:photo_id>/remove/", views.remove_photo, name="remove_photo"),
    path(
        "<int:report_id>/photos/<int:photo_id>/<int:width>.<str:fmt>",
        views.photo,
        name="photo",
    ),
]
