from django.urls import path

from peritus.qms import views

app_name = "qms"

BASE = "office/quality/corrective-actions/"

urlpatterns = [
    path(BASE, views.register, name="corrective-action-list"),
    path(f"{BASE}register.csv", views.register_csv, name="corrective-action-export"),
    path(f"{BASE}new/", views.raise_action, name="corrective-action-raise"),
    path(f"{BASE}mine/", views.my_steps, name="corrective-action-mine"),
    path(f"{BASE}<str:reference>/", views.detail, name="corrective-action-detail"),
    path(
        f"{BASE}<str:reference>/root-cause/", views.root_cause, name="corrective-action-root-cause"
    ),
    path(f"{BASE}<str:reference>/steps/", views.add_step, name="corrective-action-step-add"),
    path(
        f"{BASE}<str:reference>/steps/<int:pk>/done/",
        views.complete_step,
        name="corrective-action-step-complete",
    ),
    path(
        f"{BASE}<str:reference>/effectiveness/",
        views.check_effectiveness,
        name="corrective-action-check",
    ),
    path(f"{BASE}<str:reference>/closure/", views.close, name="corrective-action-close"),
    path(f"{BASE}<str:reference>/cancellation/", views.cancel, name="corrective-action-cancel"),
]
