from django.urls import path

from peritus.web import audit_views, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("after-login/", views.after_login, name="after-login"),
    path("portal/", views.portal, name="portal"),
    path("office/", views.office, name="office"),
    path("office/agreements/", views.agreements, name="agreements"),
    path("office/audit/", audit_views.audit_trail, name="audit-trail"),
    path("office/audit/<int:sequence>/", audit_views.audit_event, name="audit-event"),
]
