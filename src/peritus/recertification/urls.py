from django.urls import path

from peritus.recertification import views

app_name = "recertification"

PORTAL = "portal/renewals/"
OFFICE = "office/recertification/"

urlpatterns = [
    path(PORTAL, views.portal_overview, name="portal-overview"),
    path(f"{PORTAL}cpd/<int:activity_id>/evidence/", views.cpd_evidence, name="cpd-evidence"),
    path(f"{PORTAL}<str:number>/", views.portal_certificate, name="portal-certificate"),
    path(f"{PORTAL}<str:number>/cpd/", views.portal_log_cpd, name="portal-log-cpd"),
    path(
        f"{PORTAL}<str:number>/surveillance/",
        views.portal_submit_surveillance,
        name="portal-surveillance",
    ),
    path(
        f"{PORTAL}<str:number>/recertification/",
        views.portal_submit_recertification,
        name="portal-recertification",
    ),
    path(OFFICE, views.office_queue, name="office-queue"),
    path(f"{OFFICE}policies/", views.office_policies, name="office-policies"),
    path(f"{OFFICE}policies/<int:version_id>/", views.office_policy, name="office-policy"),
    path(f"{OFFICE}<str:reference>/", views.office_submission, name="office-submission"),
    path(f"{OFFICE}<str:reference>/review/", views.office_review, name="office-review"),
    path(f"{OFFICE}<str:reference>/decision/", views.office_decide, name="office-decide"),
    path(f"{OFFICE}<str:reference>/suspension/", views.office_suspend, name="office-suspend"),
    path(
        f"{OFFICE}<str:reference>/files/<int:file_id>/",
        views.submission_file,
        name="submission-file",
    ),
]
