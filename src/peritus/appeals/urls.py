from django.urls import path

from peritus.appeals import views

app_name = "appeals"

OFFICE = "office/appeals/"
PORTAL = "portal/appeals/"

urlpatterns = [
    path(OFFICE, views.appeal_list, name="appeal-list"),
    path(f"{OFFICE}new/", views.appeal_record, name="appeal-record"),
    path(f"{OFFICE}<str:reference>/", views.appeal_detail, name="appeal-detail"),
    path(f"{OFFICE}<str:reference>/<str:step>/", views.appeal_step, name="appeal-step"),
    path(
        f"{OFFICE}<str:reference>/actions/<int:action_id>/done/",
        views.action_done,
        name="action-done",
    ),
    path(PORTAL, views.portal_appeals, name="portal-appeals"),
    path(f"{PORTAL}new/", views.portal_appeal_new, name="portal-appeal-new"),
    path(f"{PORTAL}<str:reference>/", views.portal_appeal_detail, name="portal-appeal-detail"),
    path(
        f"{PORTAL}<str:reference>/withdraw/",
        views.portal_appeal_withdraw,
        name="portal-appeal-withdraw",
    ),
]
