from django.urls import path

from peritus.schemes import views

app_name = "schemes"

urlpatterns = [
    path("schemes/", views.scheme_list, name="scheme-list"),
    path("schemes/<slug:slug>/", views.scheme_detail, name="scheme-detail"),
    path("schemes/<slug:slug>/versions/", views.scheme_history, name="scheme-history"),
    path(
        "schemes/<slug:slug>/versions/<int:version_id>/",
        views.scheme_version_public,
        name="scheme-version",
    ),
    path("office/schemes/", views.office_scheme_list, name="office-scheme-list"),
    path("office/schemes/new/", views.office_scheme_create, name="office-scheme-create"),
    path("office/schemes/<slug:slug>/", views.office_scheme_detail, name="office-scheme-detail"),
    path(
        "office/schemes/<slug:slug>/versions/",
        views.office_version_create,
        name="office-version-create",
    ),
    path(
        "office/schemes/<slug:slug>/versions/<int:version_id>/",
        views.office_version_detail,
        name="office-version-detail",
    ),
    path(
        "office/schemes/<slug:slug>/versions/<int:version_id>/edit/",
        views.office_version_edit,
        name="office-version-edit",
    ),
    path(
        "office/schemes/<slug:slug>/versions/<int:version_id>/<str:kind>/new/",
        views.office_part_edit,
        name="office-part-create",
    ),
    path(
        "office/schemes/<slug:slug>/versions/<int:version_id>/<str:kind>/<int:part_id>/",
        views.office_part_edit,
        name="office-part-edit",
    ),
    path(
        "office/schemes/<slug:slug>/versions/<int:version_id>/<str:kind>/<int:part_id>/removal/",
        views.office_part_remove,
        name="office-part-remove",
    ),
    path(
        "office/schemes/<slug:slug>/versions/<int:version_id>/<str:action>/",
        views.office_version_transition,
        name="office-version-transition",
    ),
]
