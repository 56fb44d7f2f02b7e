from django.urls import path

from peritus.itembank import views

app_name = "itembank"

P = "office/itembank/<slug:slug>/"
urlpatterns = [
    path("office/itembank/", views.bank_list, name="bank-list"),
    path(P, views.bank_detail, name="bank-detail"),
    path(P + "items/new/", views.item_create, name="item-create"),
    path(P + "items/<str:identifier>/", views.item_detail, name="item-detail"),
    path(P + "items/<str:identifier>/edit/", views.item_edit, name="item-edit"),
    path(P + "items/<str:identifier>/preview/", views.item_preview, name="item-preview"),
    path(P + "items/<str:identifier>/diff/", views.item_diff, name="item-diff"),
    path(P + "items/<str:identifier>/<str:action>/", views.item_action, name="item-action"),
    path(P + "media/", views.media, name="media"),
    path(P + "import/", views.qti_import, name="qti-import"),
    path(P + "export/", views.qti_export, name="qti-export"),
    path(P + "forms/", views.form_list, name="form-list"),
    path(P + "blueprints/new/", views.blueprint_create, name="blueprint-create"),
    path(
        P + "blueprints/<int:blueprint_id>/approve/",
        views.blueprint_approve,
        name="blueprint-approve",
    ),
    path(P + "blueprints/<int:blueprint_id>/assemble/", views.form_assemble, name="form-assemble"),
    path(P + "forms/<str:code>/", views.form_detail, name="form-detail"),
    path(P + "forms/<str:code>/<str:kind>.pdf", views.form_pdf, name="form-pdf"),
]

# Exam statistics and standard setting (their own module).
from peritus.itembank.statistics.urls import urlpatterns as statistics_urlpatterns  # noqa: E402

urlpatterns += statistics_urlpatterns
