from django.urls import path

from peritus.accounts import views

app_name = "accounts"

urlpatterns = [
    path("office/personnel/", views.personnel, name="personnel"),
    path("office/personnel/<int:user_id>/", views.person_roles, name="person-roles"),
    path(
        "office/personnel/roles/<int:assignment_id>/revocation/", views.revoke, name="role-revoke"
    ),
    path("office/api-tokens/", views.api_tokens, name="api-tokens"),
    path(
        "office/api-tokens/<int:token_id>/revocation/", views.revoke_token, name="api-token-revoke"
    ),
]
