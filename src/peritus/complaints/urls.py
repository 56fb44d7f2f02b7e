from django.urls import path

from peritus.complaints import views

app_name = "complaints"

BASE = "office/complaints/"
ONE = BASE + "<str:reference>/"

urlpatterns = [
    path("complaints/", views.public_form, name="public-form"),
    path("complaints/received/", views.public_received, name="public-received"),
    path("portal/complaints/", views.portal_list, name="portal-complaint-list"),
    path(BASE, views.register, name="complaint-list"),
    path(f"{BASE}register.csv", views.register_csv, name="complaint-export"),
    path(f"{BASE}new/", views.record, name="complaint-record"),
    path(f"{BASE}suspension-proposals/", views.proposals, name="proposal-list"),
    path(
        f"{BASE}suspension-proposals/<int:pk>/decision/",
        views.decide_proposal,
        name="proposal-decide",
    ),
    path(ONE, views.detail, name="complaint-detail"),
    path(f"{ONE}acknowledgement/", views.acknowledge, name="complaint-acknowledge"),
    path(f"{ONE}validation/", views.accept, name="complaint-accept"),
    path(f"{ONE}rejection/", views.reject, name="complaint-reject"),
    path(f"{ONE}handler/", views.assign, name="complaint-assign"),
    path(f"{ONE}declaration/", views.declare, name="complaint-declare"),
    path(f"{ONE}notes/", views.add_note, name="complaint-note"),
    path(f"{ONE}progress/", views.report_progress, name="complaint-progress"),
    path(f"{ONE}outcome/", views.resolve, name="complaint-resolve"),
    path(f"{ONE}closure/", views.close, name="complaint-close"),
    path(f"{ONE}withdrawal/", views.withdraw, name="complaint-withdraw"),
    path(f"{ONE}suspension-proposal/", views.propose_suspension, name="complaint-propose"),
    path(f"{ONE}corrective-action/", views.raise_action, name="complaint-corrective-action"),
]
