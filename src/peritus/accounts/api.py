from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja import Router, Status

from peritus.accounts.models import ApiToken, Person, User
from peritus.accounts.schemas import (
    MeOut,
    PersonOut,
    RoleGrantOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)
from peritus.accounts.second_factor import signed_in_with_second_factor
from peritus.accounts.selectors import get_person_of_user, role_grants, token_scopes
from peritus.accounts.services import create_api_token, require_api_scope, revoke_api_token
from peritus.core.access import get_object_for

router = Router(tags=["accounts"])


@router.get("/me", response=MeOut, summary="The signed-in user, their person record and roles")
def me(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    person = get_person_of_user(user)
    return {
        "id": user.pk,
        "email": user.email,
        "given_names": user.given_names,
        "family_name": user.family_name,
        "preferred_language": user.preferred_language,
        "person_id": person.pk if person else None,
        "roles": [
            RoleGrantOut(role=g.role, scheme_id=g.scheme_id, active=g.active)
            for g in role_grants(user)
        ],
    }


@router.get(
    "/persons/{person_id}", response=PersonOut, summary="A person record (your own, or as staff)"
)
def get_person(request: HttpRequest, person_id: int) -> Person:
    return get_object_for(
        request.user, Person.objects.all(), view_perm="accounts.view_person", pk=person_id
    )


@router.get("/tokens", response=list[TokenOut], summary="Your API tokens")
def list_tokens(request: HttpRequest) -> Any:
    return ApiToken.objects.filter(user=cast(User, request.user))


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Create a personal API token")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    require_api_scope(request.user, "write")
    token, secret = create_api_token(
        actor=request.user,  # type: ignore[arg-type]
        name=payload.name,
        scopes=payload.scopes,
        expires_at=payload.expires_at,
        # A token was itself made behind the second factor; a session says how it was opened.
        second_factor_used=token_scopes(request.user) is not None
        or signed_in_with_second_factor(request),
    )
    return Status(201, {**TokenOut.from_orm(token).model_dump(), "secret": secret})


@router.post(
    "/tokens/{token_id}/revocation", response=TokenOut, summary="Revoke one of your API tokens"
)
def revoke_token(request: HttpRequest, token_id: int) -> ApiToken:
    require_api_scope(request.user, "write")
    token = get_object_for(
        request.user, ApiToken.objects.all(), view_perm="accounts.view_api_token", pk=token_id
    )
    return revoke_api_token(actor=request.user, token=token)  # type: ignore[arg-type]
