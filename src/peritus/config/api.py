"""The REST API root (django-ninja, OpenAPI 3.1 at /api/v1/openapi.json, docs at /api/v1/docs).

Each Django app with an `api.py` exposing `router` is mounted here. Domain errors become
`{"code", "message"}` with the error's HTTP status, once, for every endpoint (ADR 0009).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any, override

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from peritus.accounts.services import authenticate_api_token
from peritus.core.errors import DomainError


class TokenAuth(HttpBearer):
    """`Authorization: Bearer prt_…` with a personal API token."""

    openapi_scheme = "bearer"

    @override
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_api_token(token)
        if user is not None:
            request.user = user
        return user


class ErrorOut(Schema):
    code: str
    message: str


ERROR_RESPONSES = {
    400: "Malformed request",
    401: "Not authenticated",
    403: "Not permitted",
    404: "Not found",
    409: "Refused by a business rule",
    422: "Invalid input",
    429: "Too many requests",
}


class PeritusAPI(NinjaAPI):
    @override
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ErrorOut"] = ErrorOut.model_json_schema()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_RESPONSES.items():
                    responses.setdefault(
                        str(status),
                        {"description": description,
                         "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}},
                    )  # fmt: skip
        return schema


api = PeritusAPI(
    title="Peritus API",
    version="1",
    description="Certification records of a personnel certification body (ISO/IEC 17024).",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return api.create_response(request, error.as_dict(), status=error.http_status)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return _error(
        request, 422, "invalid_input", "The request did not pass validation.", details=error.errors
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "not_authenticated", "Sign in or send a valid API token.")


@api.exception_handler(AuthorizationError)
def authorization_error(request: HttpRequest, error: AuthorizationError) -> HttpResponse:
    return _error(request, 403, "not_permitted", "You may not do this.")


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "not_permitted", str(error) or "You may not do this.")


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    code = {400: "bad_request", 429: "rate_limited"}.get(error.status_code, "error")
    return _error(request, error.status_code, code, str(error))


for app_config in apps.get_app_configs():
    module_name = f"{app_config.name}.api"
    if app_config.name.startswith("peritus.") and importlib.util.find_spec(module_name):
        module = importlib.import_module(module_name)
        api.add_router("", module.router)
