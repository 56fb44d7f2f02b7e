"""The verification responder answers anonymous verification exactly as Django would (ADR 0024).

Each test sends the same WSGI request to the responder (wrapped around Django, as gunicorn serves
it) and to Django alone, and compares status, headers and bytes — the CSP nonce, new on every
request, aside. A spy on the inner application tells whether the responder answered itself or
handed the request on.
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import OperationalError, close_old_connections, connections
from django.test import override_settings

from peritus.accounts.models import User
from peritus.certification.models import CertificateStatus, CertificateVersion
from peritus.certification.selectors import verify_certificate
from peritus.certification.services import reissue_certificate
from peritus.certification.tests.factories import make_certificate
from peritus.registry import responder
from peritus.registry.responder import VerificationResponder

pytestmark = pytest.mark.django_db

NONCE = re.compile(r"nonce(-|=\")[A-Za-z0-9_-]+")


class Django:
    """Django's WSGI application, counting the requests it serves (inside the test's transaction,
    like Django's test client, so connections are not closed around each request)."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.served = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.served += 1
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            body = b"".join(response)
            response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]


class Answer:
    def __init__(self, application: Any, environ: dict[str, Any]) -> None:
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
            captured["status"], captured["headers"] = status, headers

        self.body = b"".join(application(environ, start_response))
        self.status: str = captured["status"]
        self.headers: dict[str, str] = dict(captured["headers"])

    def comparable(self) -> tuple[str, dict[str, str], str]:
        headers = {name: NONCE.sub("nonce", value) for name, value in self.headers.items()}
        return self.status, headers, NONCE.sub("nonce", self.body.decode())


def wsgi_environ(
    path: str, *, query: str = "", method: str = "GET", **extra: str
) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "198.51.100.20",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **extra,
    }


@pytest.fixture
def django_app() -> Iterator[Django]:
    cache.clear()
    yield Django()
    cache.clear()


def both(django_app: Django, environ: dict[str, Any]) -> tuple[Answer, Answer, bool]:
    """(the responder's answer, Django's answer, whether the responder answered itself)."""
    before = django_app.served
    fast = Answer(VerificationResponder(django_app), dict(environ, **{"wsgi.input": io.BytesIO()}))
    answered_itself = django_app.served == before
    slow = Answer(django_app, environ)
    return fast, slow, answered_itself


def assert_same(fast: Answer, slow: Answer) -> None:
    assert fast.comparable() == slow.comparable()


@pytest.mark.parametrize(
    "status", [CertificateStatus.VALID, CertificateStatus.SUSPENDED, CertificateStatus.WITHDRAWN]
)
@pytest.mark.parametrize("kind", ["page", "json"])
def test_every_status_is_answered_with_django_s_status_headers_and_bytes(
    django_app: Django, status: str, kind: str
) -> None:
    certificate = make_certificate(status=status)
    path = (
        f"/verify/{certificate.number}/"
        if kind == "page"
        else f"/api/v1/certificates/{certificate.number}/verification"
    )

    fast, slow, answered_itself = both(django_app, wsgi_environ(path))

    assert answered_itself
    assert fast.status == "200 OK"
    assert_same(fast, slow)
    assert status in fast.body.decode()


@pytest.mark.parametrize("kind", ["page", "json"])
@pytest.mark.parametrize("number", ["WI-0000001-A", "WI-9999999-Z", "NOPE"])
def test_unknown_and_mistyped_numbers_get_the_same_404(
    django_app: Django, kind: str, number: str
) -> None:
    make_certificate()
    path = f"/verify/{number}/" if kind == "page" else f"/api/v1/certificates/{number}/verification"

    fast, slow, answered_itself = both(django_app, wsgi_environ(path))

    assert answered_itself
    assert fast.status == "404 Not Found"
    assert_same(fast, slow)


def test_the_qr_code_s_seal_is_checked_and_shown_the_same_way(django_app: Django) -> None:
    certificate = make_certificate()
    seal = CertificateVersion.objects.get(certificate=certificate).seal
    tampered = seal[:-4] + ("AAAA" if not seal.endswith("AAAA") else "BBBB")

    for token, shown in ((seal, "Seal verified"), (tampered, "Seal not verified")):
        fast, slow, answered_itself = both(
            django_app, wsgi_environ(f"/verify/{certificate.number}/", query=f"t={token}")
        )
        assert answered_itself
        assert_same(fast, slow)
        assert shown in fast.body.decode()


def test_a_superseded_revision_and_the_current_one_are_told_apart(
    django_app: Django, officer: User
) -> None:
    certificate = make_certificate(officer=officer)
    reissue_certificate(certificate=certificate, actor=officer, reason="correction", note="Typo")

    for path in (
        f"/verify/{certificate.number}-R1/",
        f"/api/v1/certificates/{certificate.number}-R1/verification",
        f"/verify/{certificate.number}/",
    ):
        fast, slow, answered_itself = both(django_app, wsgi_environ(path))
        assert answered_itself
        assert_same(fast, slow)
    assert (
        "superseded"
        in both(django_app, wsgi_environ(f"/verify/{certificate.number}-R1/"))[0]
        .body.decode()
        .lower()
    )


def test_the_visitor_s_language_is_negotiated_as_the_middleware_does(django_app: Django) -> None:
    certificate = make_certificate()

    for accept in ("fr-FR,fr;q=0.9", "de", "xx-YY", "es;q=0.5, en;q=0.9"):
        for path in (
            f"/verify/{certificate.number}/",
            f"/api/v1/certificates/{certificate.number}/verification",
            "/api/v1/certificates/WI-0000001-A/verification",
        ):
            fast, slow, answered_itself = both(
                django_app, wsgi_environ(path, HTTP_ACCEPT_LANGUAGE=accept)
            )
            assert answered_itself
            assert_same(fast, slow)
    french = both(
        django_app, wsgi_environ(f"/verify/{certificate.number}/", HTTP_ACCEPT_LANGUAGE="fr")
    )
    assert french[0].headers["Content-Language"] == "fr"


@override_settings(
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_HSTS_SECONDS=3600,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
)
def test_behind_an_https_proxy_the_strict_transport_header_is_sent_too() -> None:
    certificate = make_certificate()
    django_app = Django()  # the middleware reads these settings when it is loaded

    fast, slow, answered_itself = both(
        django_app, wsgi_environ(f"/verify/{certificate.number}/", HTTP_X_FORWARDED_PROTO="https")
    )

    assert answered_itself
    assert_same(fast, slow)
    assert fast.headers["Strict-Transport-Security"] == "max-age=3600; includeSubDomains"


@pytest.mark.parametrize(
    ("description", "environ_changes"),
    [
        ("a signed-in visitor's session", {"HTTP_COOKIE": "sessionid=abc"}),
        ("a chosen language", {"HTTP_COOKIE": "django_language=fr"}),
        ("another method", {"REQUEST_METHOD": "HEAD"}),
        ("a host that is not ours", {"HTTP_HOST": "evil.example"}),
        ("an application under a prefix", {"SCRIPT_NAME": "/peritus"}),
        ("characters no number has", {"PATH_INFO": "/verify/WI 0000001/"}),
        ("a path that is only near", {"PATH_INFO": "/verify/WI-0000001-A"}),
    ],
)
def test_requests_it_is_not_sure_about_go_to_django(
    django_app: Django, description: str, environ_changes: dict[str, str]
) -> None:
    certificate = make_certificate()
    environ = wsgi_environ(f"/verify/{certificate.number}/")
    environ.update(environ_changes)

    fast, slow, answered_itself = both(django_app, environ)

    assert not answered_itself, description
    assert_same(fast, slow)


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_redirected_by_django_when_https_is_enforced() -> None:
    certificate = make_certificate()
    django_app = Django()  # the middleware reads the setting when it is loaded

    fast, _slow, answered_itself = both(django_app, wsgi_environ(f"/verify/{certificate.number}/"))

    assert not answered_itself
    assert fast.status.startswith("301")


def test_over_the_rate_limit_django_refuses_with_its_429(django_app: Django, settings: Any) -> None:
    settings.PERITUS = {**settings.PERITUS, "VERIFICATION_RATE_LIMIT": "2/m"}
    certificate = make_certificate()
    application = VerificationResponder(django_app)
    path = f"/api/v1/certificates/{certificate.number}/verification"

    statuses = [Answer(application, wsgi_environ(path)).status for _ in range(3)]
    another_client = Answer(application, wsgi_environ(path, REMOTE_ADDR="198.51.100.21"))

    assert statuses == ["200 OK", "200 OK", "429 Too Many Requests"]
    assert django_app.served == 1  # only the refusal was handed on
    assert another_client.status == "200 OK"


def test_it_can_be_turned_off(django_app: Django, settings: Any) -> None:
    settings.PERITUS = {**settings.PERITUS, "VERIFICATION_RESPONDER": False}
    certificate = make_certificate()

    _fast, _slow, answered_itself = both(django_app, wsgi_environ(f"/verify/{certificate.number}/"))

    assert not answered_itself


def test_a_connection_the_database_dropped_is_replaced_and_the_answer_given(
    django_app: Django, monkeypatch: pytest.MonkeyPatch
) -> None:
    certificate = make_certificate()
    real = verify_certificate
    failures = iter([OperationalError("server closed the connection unexpectedly")])

    def dropped_once(*args: Any, **kwargs: Any) -> Any:
        for failure in failures:
            raise failure
        return real(*args, **kwargs)

    closed: list[bool] = []
    monkeypatch.setattr("peritus.registry.responder.verify_certificate", dropped_once)
    monkeypatch.setattr(connections["default"], "close", lambda: closed.append(True))

    answer = Answer(
        VerificationResponder(django_app), wsgi_environ(f"/verify/{certificate.number}/")
    )

    assert answer.status == "200 OK"
    assert closed == [True]
    assert django_app.served == 0


@pytest.mark.django_db(transaction=True)  # outside a transaction, as in production
def test_a_connection_past_its_age_is_closed_after_the_answer(
    django_app: Django, monkeypatch: pytest.MonkeyPatch
) -> None:
    certificate = make_certificate()
    closed: list[bool] = []
    monkeypatch.setattr(connections["default"], "close_at", time.monotonic() - 1)
    monkeypatch.setattr(connections["default"], "close", lambda: closed.append(True))

    answer = Answer(
        VerificationResponder(django_app), wsgi_environ(f"/verify/{certificate.number}/")
    )

    assert answer.status == "200 OK"
    assert closed == [True]


def test_an_unexpected_failure_is_logged_and_django_answers(
    django_app: Django, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    certificate = make_certificate()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in the responder")

    monkeypatch.setattr(responder, "_page", broken)

    with caplog.at_level(logging.ERROR, logger="peritus.registry.responder"):
        answer = Answer(
            VerificationResponder(django_app), wsgi_environ(f"/verify/{certificate.number}/")
        )

    assert answer.status == "200 OK"
    assert django_app.served == 1
    assert "passed to Django" in caplog.text
