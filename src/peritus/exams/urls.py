from django.urls import path

from peritus.exams import views

app_name = "exams"

OFFICE = "office/assessments/"

urlpatterns = [
    path(OFFICE, views.event_list, name="event-list"),
    path(f"{OFFICE}new/", views.event_create, name="event-create"),
    path(f"{OFFICE}<int:pk>/", views.event_detail, name="event-detail"),
    path(f"{OFFICE}<int:pk>/personnel/", views.event_assign, name="event-assign"),
    path(f"{OFFICE}<int:pk>/candidates/", views.event_add_candidate, name="event-add-candidate"),
    path(f"{OFFICE}<int:pk>/attendance/", views.event_attendance, name="event-attendance"),
    path(f"{OFFICE}<int:pk>/cancellation/", views.event_cancel, name="event-cancel"),
    path(f"{OFFICE}<int:pk>/declarations/", views.event_declarations, name="event-declarations"),
    path(f"{OFFICE}<int:pk>/release/", views.event_release, name="event-release"),
    path(f"{OFFICE}entries/<int:pk>/", views.entry_result, name="entry-result"),
    path(
        f"{OFFICE}results/<int:pk>/second-mark/",
        views.result_second_mark,
        name="result-second-mark",
    ),
    path(
        f"{OFFICE}results/<int:pk>/reconciliation/", views.result_reconcile, name="result-reconcile"
    ),
    path(
        f"{OFFICE}results/<int:pk>/second-mark-request/",
        views.result_request_second_mark,
        name="result-request-second-mark",
    ),
    path(f"{OFFICE}results/<int:pk>/release/", views.result_release, name="result-release"),
    path(f"{OFFICE}results/<int:pk>/attachments/", views.result_attach, name="result-attach"),
    path(f"{OFFICE}attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("portal/assessments/", views.portal_assessments, name="portal-assessments"),
]
