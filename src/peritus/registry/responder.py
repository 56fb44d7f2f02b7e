"""The verification responder: anonymous public verification answered in front of the middleware.

Verification is what QR codes, employers and relying parties call at scale (product.md §5). Through
Django's full stack every request pays fourteen middleware, a request object and URL resolution,
most of it for sessions, messages and sign-in that an anonymous verification never uses; that
alone held it far below a trivial view (ADR 0024). The responder is a WSGI layer wrapped around
Django's application. It answers exactly two requests:

* `GET /verify/<number>/` (with or without the QR code's `?t=` seal), and
* `GET /api/v1/certificates/<number>/verification`,

with the same selector (`verify_certificate`), the same rate limit, the same content fragments
and cached layout, and the same headers the middleware would add. Everything else — and every one
of these it is not sure about — goes to Django unchanged:

* a session, language, CSRF or messages cookie (a signed-in visitor gets the ordinary render with
  their menu; Django deletes a stale session or replaces a malformed CSRF cookie);
* a host not in ALLOWED_HOSTS (Django answers 400), plain HTTP when HTTPS is enforced (Django
  redirects), an application mounted under a path prefix;
* a number with characters outside [A-Za-z0-9-] or longer than the view reads;
* a request over the rate limit (Django answers 429, without counting it again);
* a request Django finds suspicious (too many query fields …: Django answers 400);
* any unexpected error (logged; Django then answers, or fails, as it would have).

`PERITUS_VERIFICATION_RESPONDER=false` turns it off. A test holds both paths to the same status,
headers and bytes for every outcome.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError, connection
from django.dispatch import receiver
from django.http import HttpRequest, QueryDict
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.utils import timezone, translation
from django.utils.csp import build_policy, generate_nonce

from peritus.certification.selectors import Verification, VerificationMiss, verify_certificate
from peritus.core.ratelimit import address_from_meta, hit
from peritus.registry.api import miss_error
from peritus.registry.shell import anonymous_page
from peritus.registry.views import (
    MAX_NUMBER_LENGTH,
    NOINDEX,
    RATE_COUNTED,
    REVALIDATE,
    SEAL_LENGTH,
    verification_page,
)

logger = logging.getLogger(__name__)

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApplication = Callable[[Environ, StartResponse], Iterable[bytes]]
Answer = tuple[str, list[tuple[str, str]], bytes]

PAGE_PATH = re.compile(rf"/verify/([A-Za-z0-9-]{{1,{MAX_NUMBER_LENGTH}}})/")
JSON_PATH = re.compile(
    rf"/api/v1/certificates/([A-Za-z0-9-]{{1,{MAX_NUMBER_LENGTH}}})/verification"
)
NONCE_MARK = "peritusresponder7f3a9cnonce"
CSP_HEADERS = (
    ("Content-Security-Policy", "SECURE_CSP"),
    ("Content-Security-Policy-Report-Only", "SECURE_CSP_REPORT_ONLY"),
)
STATUS_LINES = {200: "200 OK", 404: "404 Not Found"}


@dataclasses.dataclass(frozen=True)
class PublicRequest:
    """What the responder needs of a request it has decided to answer."""

    page: bool  # the HTML page, else the JSON endpoint
    path: str
    number: str
    token: str
    language: str
    secure: bool
    client: str


class VerificationResponder:
    """WSGI: answers anonymous verification, hands every other request to `application`."""

    def __init__(self, application: WSGIApplication) -> None:
        self.application = application

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        answer = None
        if settings.PERITUS["VERIFICATION_RESPONDER"]:
            try:
                answer = self.answer(environ)
            except SuspiciousOperation:  # too many query fields …: Django answers its 400
                answer = None
            except Exception:  # Django answers instead, with its own error handling and logs
                logger.exception("verification responder failed; passed to Django")
                answer = None
        if answer is None:
            return self.application(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def answer(self, environ: Environ) -> Answer | None:
        request = public_request(environ)
        if request is None:
            return None
        allowed = hit("verify", request.client, settings.PERITUS["VERIFICATION_RATE_LIMIT"])
        environ[RATE_COUNTED] = allowed  # if Django answers after all, it does not count again
        return respond(request) if allowed else None


def public_request(environ: Environ) -> PublicRequest | None:
    """The request, when it is one the responder answers exactly as Django would; else None."""
    if environ.get("REQUEST_METHOD") != "GET" or environ.get("SCRIPT_NAME"):
        return None
    path = environ.get("PATH_INFO", "")
    match = PAGE_PATH.fullmatch(path)
    page = match is not None
    match = match or JSON_PATH.fullmatch(path)
    if match is None:
        return None
    if environ.get("HTTP_COOKIE") and _cookies_django_reads(environ["HTTP_COOKIE"]):
        return None
    if not _allowed_host(_host(environ)):
        return None
    secure = _is_secure(environ)
    if settings.SECURE_SSL_REDIRECT and not secure:
        return None
    token = ""
    if page and environ.get("QUERY_STRING"):
        query = QueryDict(environ["QUERY_STRING"].encode("iso-8859-1"))
        token = (query.get("t") or "")[:SEAL_LENGTH]
    return PublicRequest(
        page=page,
        path=path,
        number=match.group(1),
        token=token,
        language=negotiated_language(environ.get("HTTP_ACCEPT_LANGUAGE", "")),
        secure=secure,
        client=address_from_meta(environ),
    )


def respond(request: PublicRequest) -> Answer:
    """The status line, headers and body Django would send (the rate limit already checked)."""
    today = timezone.localdate()
    with translation.override(request.language):
        result = _verify(request.number, request.token, today)
        if request.page:
            return _page(request, result, today)
        return _json(request, result)


def _page(
    request: PublicRequest, result: Verification | VerificationMiss, today: dt.date
) -> Answer:
    status, title, fragment = verification_page(result, number=request.number, today=today)
    nonce = generate_nonce()
    body = anonymous_page(
        language=request.language, path=request.path, title=title, fragment=fragment, nonce=nonce
    ).encode()
    headers = [
        ("Content-Type", f"text/html; charset={settings.DEFAULT_CHARSET}"),
        ("Cache-Control", REVALIDATE),
        ("X-Robots-Tag", NOINDEX),
        *_stack_headers(request, nonce=nonce, vary="Accept-Language, Cookie", length=len(body)),
    ]
    return STATUS_LINES[status], headers, body


def _json(request: PublicRequest, result: Verification | VerificationMiss) -> Answer:
    if isinstance(result, VerificationMiss):
        status, content_type = 404, f"application/json; charset={settings.DEFAULT_CHARSET}"
        document = miss_error(result)
    else:
        status, content_type = 200, "application/json"
        document = result.as_public_json()
    body = json.dumps(document, cls=DjangoJSONEncoder).encode()
    headers = [
        ("Content-Type", content_type),
        ("Cache-Control", REVALIDATE),
        *_stack_headers(request, nonce="", vary="Accept-Language", length=len(body)),
    ]
    return STATUS_LINES[status], headers, body


def _stack_headers(
    request: PublicRequest, *, nonce: str, vary: str, length: int
) -> list[tuple[str, str]]:
    """What the middleware adds to these responses: CSP, framing, locale and security headers."""
    headers = []
    for header, setting in CSP_HEADERS:
        policy = _policy(setting, with_nonce=bool(nonce))
        if policy:
            headers.append((header, policy.replace(NONCE_MARK, nonce)))
    headers += [
        ("X-Frame-Options", settings.X_FRAME_OPTIONS.upper()),
        ("Content-Length", str(length)),
        ("Vary", vary),
        ("Content-Language", request.language),
    ]
    return [*headers, *_security_headers(request.secure)]


@functools.cache
def _policy(setting: str, *, with_nonce: bool) -> str:
    """ContentSecurityPolicyMiddleware's header, built once with a mark where the nonce goes."""
    config = getattr(settings, setting)
    return build_policy(config, NONCE_MARK if with_nonce else None) if config else ""


@functools.cache
def _security_headers(secure: bool) -> tuple[tuple[str, str], ...]:
    """SecurityMiddleware's response headers, in its order."""
    headers = []
    if secure and settings.SECURE_HSTS_SECONDS:
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        headers.append(("Strict-Transport-Security", value))
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        policy: Any = settings.SECURE_REFERRER_POLICY  # a string or a list of policies
        values = policy.split(",") if isinstance(policy, str) else policy
        headers.append(("Referrer-Policy", ",".join(value.strip() for value in values)))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    return tuple(headers)


def _verify(number: str, token: str, today: dt.date) -> Verification | VerificationMiss:
    """The selector, on this thread's persistent connection, tidied afterwards as Django does.

    A connection PostgreSQL has dropped (a restart, an idle timeout) is replaced and the query
    run once more.
    """
    try:
        try:
            return verify_certificate(number, token=token, today=today)
        except (OperationalError, InterfaceError):
            if connection.connection is not None and connection.is_usable():
                raise  # not a lost connection (a timeout, a lock …): Django answers as it would
            connection.close()
            return verify_certificate(number, token=token, today=today)
    finally:
        _close_if_obsolete()


def _close_if_obsolete() -> None:
    """What Django does when a request finishes (`close_old_connections`): a connection past
    CONN_MAX_AGE, or one that saw an error, is closed; the next request opens a new one. (Never
    inside a transaction: the responder opens none; a test's transaction is left alone.)"""
    if connection.connection is None or connection.in_atomic_block:
        return
    expired = connection.close_at is not None and time.monotonic() >= connection.close_at
    if expired or connection.errors_occurred:
        connection.close()


def _cookies_django_reads(header: str) -> bool:
    """A session (a signed-in visitor, or a stale session Django deletes), a chosen language, a
    CSRF cookie (Django replaces a malformed one) or pending messages: Django answers those."""
    names = parse_cookie(header)
    return any(
        name in names
        for name in (
            settings.SESSION_COOKIE_NAME,
            settings.LANGUAGE_COOKIE_NAME,
            settings.CSRF_COOKIE_NAME,
            "messages",
        )
    )


def _host(environ: Environ) -> str:
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        return str(environ["HTTP_X_FORWARDED_HOST"])
    return str(environ.get("HTTP_HOST", ""))


@functools.lru_cache(maxsize=64)
def _allowed_host(host: str) -> bool:
    """Django's host validation (HttpRequest.get_host), for the Host header alone."""
    if not host:
        return False
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, allowed)


def _is_secure(environ: Environ) -> bool:
    """Django's HttpRequest.is_secure, from the WSGI environment."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        if header in environ:
            return bool(str(environ[header]).split(",", 1)[0].strip() == secure_value)
    return bool(environ.get("wsgi.url_scheme") == "https")


@functools.lru_cache(maxsize=256)
def negotiated_language(accept_language: str) -> str:
    """LocaleMiddleware's choice for this Accept-Language header (no language cookie here)."""
    request = HttpRequest()
    request.META = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    return translation.get_language_from_request(request)


@receiver(setting_changed)
def _forget_settings(*, setting: str, **kwargs: Any) -> None:
    """The cached host, header and language answers follow settings changed by tests."""
    _allowed_host.cache_clear()
    _security_headers.cache_clear()
    _policy.cache_clear()
    negotiated_language.cache_clear()
