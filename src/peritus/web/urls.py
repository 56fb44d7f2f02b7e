from django.urls import path

from peritus.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("after-login/", views.after_login, name="after-login"),
    path("portal/", views.portal, name="portal"),
    path("office/", views.office, name="office"),
    path("office/agreements/", views.agreements, name="agreements"),
]
