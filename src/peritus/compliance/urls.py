from django.urls import path

from peritus.compliance import views

app_name = "compliance"

BASE = "office/compliance/retaliation/"

urlpatterns = [
    path(BASE, views.flag_list, name="retaliation-list"),
    path(f"{BASE}<str:reference>/", views.flag_detail, name="retaliation-detail"),
    path(f"{BASE}<str:reference>/review/", views.flag_review, name="retaliation-review"),
]
