from django.contrib.auth.decorators import login_required
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
    # Holders' own tokens (the office's are behind the staff gate; these need a sign-in).
    path("portal/api-tokens/", login_required(views.api_tokens), name="portal-api-tokens"),
    path(
        "portal/api-tokens/<int:token_id>/revocation/",
        login_required(views.revoke_token),
        name="portal-api-token-revoke",
    ),
]
