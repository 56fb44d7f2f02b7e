from django.urls import path

from peritus.registry import views

app_name = "registry"

urlpatterns = [
    path("verify/", views.verify_form, name="verify"),
    path("verify/<str:number>/", views.verify_detail, name="verify-detail"),
    path("register/", views.register, name="register"),
    path(".well-known/peritus-keys.json", views.signing_keys, name="signing-keys"),
]
