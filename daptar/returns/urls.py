from django.urls import path

from daptar.returns.views import builder, entry, figures

app_name = "returns"
urlpatterns = [
    path("", entry.to_do, name="todo"),
    path("review/", entry.review_queue, name="review"),
    path("issued/", builder.issued, name="issued"),
    path("new/", builder.edit, name="create"),
    path("<int:form_id>/", builder.detail, name="detail"),
    path("<int:form_id>/edit/", builder.edit, name="edit"),
    path("<int:form_id>/fields/", builder.add_field, name="add_field"),
    path(
        "<int:form_id>/fields/<int:field_id>/up/",
        builder.move_field,
        {"direction": "up"},
        name="field_up",
    ),
    path(
        "<int:form_id>/fields/<int:field_id>/down/",
        builder.move_field,
        {"direction": "down"},
        name="field_down",
    ),
    path("<int:form_id>/fields/<int:field_id>/remove/", builder.remove_field, name="remove_field"),
    path("<int:form_id>/rules/", builder.add_rule, name="add_rule"),
    path("<int:form_id>/rules/<int:rule_id>/remove/", builder.remove_rule, name="remove_rule"),
    path("<int:form_id>/preview/", builder.preview, name="preview"),
    path("<int:form_id>/publish/", builder.publish, name="publish"),
    path("<int:form_id>/close/", builder.close, name="close"),
    path("<int:form_id>/fill/", entry.fill, name="fill"),
    path("<int:form_id>/submissions/<int:submission_id>/", entry.submission, name="submission"),
    path("<int:form_id>/submissions/<int:submission_id>/approve/", entry.approve, name="approve"),
    path(
        "<int:form_id>/submissions/<int:submission_id>/return/", entry.send_back, name="send_back"
    ),
    path("<int:form_id>/submissions/<int:submission_id>/reopen/", entry.reopen, name="reopen"),
    path("<int:form_id>/rates/", figures.rates, name="rates"),
    path("<int:form_id>/remind/", figures.remind, name="remind"),
    path("<int:form_id>/aggregate/", figures.aggregate, name="aggregate"),
    path("<int:form_id>/export.csv", figures.export_csv, name="export_csv"),
    path("<int:form_id>/export.xlsx", figures.export_xlsx, name="export_xlsx"),
]
