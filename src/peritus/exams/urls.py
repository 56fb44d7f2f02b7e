from django.urls import path

from peritus.exams import views
from peritus.exams.delivery.views import candidate, office

app_name = "exams"

OFFICE = "office/assessments/"

urlpatterns = [
    # First: the answer save is the most frequent request of all (its resolution is not free).
    path("portal/exams/<str:reference>/answers/", candidate.save, name="attempt-save"),
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

# Online delivery --------------------------------------------------------------------------------
SESSIONS = "office/exam-sessions/"
ATTEMPTS = "office/exam-attempts/<str:reference>/"
PORTAL = "portal/exams/"
SEAT = PORTAL + "<str:reference>/"

urlpatterns += [
    path(SESSIONS, office.session_list, name="session-list"),
    path(f"{SESSIONS}new/", office.session_create, name="session-create"),
    path(f"{SESSIONS}<int:pk>/", office.session_detail, name="session-detail"),
    path(f"{SESSIONS}<int:pk>/seats/", office.session_assign_seat, name="session-assign-seat"),
    path(f"{SESSIONS}<int:pk>/console/", office.console, name="session-console"),
    path(f"{SESSIONS}<int:pk>/pause/", office.session_pause, name="session-pause"),
    path(f"{SESSIONS}<int:pk>/resume/", office.session_resume, name="session-resume"),
    path(f"{SESSIONS}<int:pk>/end/", office.session_end, name="session-end"),
    path(f"{SESSIONS}<int:pk>/incidents/", office.session_incident, name="session-incident"),
    path(f"{SESSIONS}<int:pk>/marking/", office.marking_list, name="session-marking"),
    path(f"{SESSIONS}<int:pk>/keys/", office.key_review, name="session-keys"),
    path(f"{SESSIONS}<int:pk>/keys/findings/", office.key_add_finding, name="session-key-add"),
    path(
        f"{SESSIONS}<int:pk>/keys/findings/<int:finding_id>/",
        office.key_decide,
        name="session-key-decide",
    ),
    path(f"{SESSIONS}<int:pk>/release/", office.session_release, name="session-release"),
    path(ATTEMPTS, office.attempt_record, name="attempt-record"),
    path(f"{ATTEMPTS}identity/", office.attempt_identity, name="attempt-identity"),
    path(f"{ATTEMPTS}release/", office.attempt_release, name="attempt-release"),
    path(f"{ATTEMPTS}pause/", office.attempt_pause, name="attempt-pause"),
    path(f"{ATTEMPTS}resume/", office.attempt_resume, name="attempt-resume"),
    path(f"{ATTEMPTS}time/", office.attempt_add_time, name="attempt-add-time"),
    path(f"{ATTEMPTS}end/", office.attempt_end, name="attempt-end"),
    path(
        f"{ATTEMPTS}responses/<int:entry_id>/", office.mark_response, name="attempt-mark-response"
    ),
    path(PORTAL, candidate.portal_exams, name="portal-exams"),
    path(f"{PORTAL}sessions/<int:pk>/seat/", candidate.book, name="portal-book"),
    path(SEAT, candidate.attempt_page, name="attempt"),
    path(f"{SEAT}start/", candidate.start, name="attempt-start"),
    path(f"{SEAT}questions/<int:position>/", candidate.question, name="attempt-question"),
    path(f"{SEAT}clock/", candidate.clock_status, name="attempt-clock"),
    path(f"{SEAT}review/", candidate.review, name="attempt-review"),
    path(f"{SEAT}submission/", candidate.submit, name="attempt-submit"),
    path(f"{SEAT}break/", candidate.rest_break, name="attempt-break"),
    path(f"{SEAT}media/", candidate.media, name="attempt-media"),
]
