from django.urls import path

from peritus.impartiality import views

app_name = "impartiality"

urlpatterns = [
    path(
        "office/impartiality/declarations/",
        views.my_declarations,
        name="declaration-list-mine",
    ),
    path("office/impartiality/register/", views.register, name="declaration-register"),
    path(
        "office/impartiality/declarations/<int:pk>/",
        views.declaration_detail,
        name="declaration-detail",
    ),
    path(
        "office/impartiality/declarations/<int:pk>/mitigations/",
        views.propose_mitigation,
        name="mitigation-propose",
    ),
    path(
        "office/impartiality/mitigations/<int:pk>/<str:decision>/",
        views.decide_mitigation,
        name="mitigation-decide",
    ),
    path("office/impartiality/training/", views.training_records, name="training-list"),
    path("office/impartiality/risks/", views.risk_register, name="risk-list"),
    path("office/impartiality/risks/<int:pk>/", views.risk_detail, name="risk-detail"),
    path("office/impartiality/risks/<int:pk>/edit/", views.risk_update, name="risk-update"),
    path("office/impartiality/risks/<int:pk>/review/", views.risk_review, name="risk-review"),
    path(
        "office/impartiality/risks/<int:pk>/<str:transition>/",
        views.risk_transition,
        name="risk-transition",
    ),
]
