"""The verification responder answers anonymous verification exactly as Django would (ADR 0024).

Each test sends the same WSGI request to the responder (wrapped around Django, as gunicorn serves
it) and to Django alone, and compares status, headers and bytes — the CSP nonce, new on every
request, aside. A spy on the inner application tells whether the responder answered itself or
handed the request on.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import redis
import time_machine
from django.core.cache import cache, caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import OperationalError, close_old_connections, connection, connections
from django.test import override_settings

from peritus.accounts.models import User
from peritus.certification.models import CertificateStatus, CertificateVersion
from peritus.certification.services import reissue_certificate
from peritus.certification.tests.factories import make_certificate
from peritus.registry import responder
from peritus.registry.responder import VerificationResponder

pytestmark = pytest.mark.django_db

NONCE = re.compile(r"nonce(?:-|=\")([A-Za-z0-9_-]+)")


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
        self.header_list: list[tuple[str, str]] = list(captured["headers"])
        self.headers: dict[str, str] = dict(self.header_list)

    def comparable(self) -> tuple[str, list[tuple[str, str]], str]:
        headers = sorted((name, NONCE.sub("nonce", value)) for name, value in self.header_list)
        return self.status, headers, NONCE.sub("nonce", self.body.decode())

    def nonces(self) -> set[str]:
        """Every CSP nonce in the headers and the body."""
        text = " ".join(value for _name, value in self.header_list) + self.body.decode()
        return {match.group(1) for match in NONCE.finditer(text)}


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
    if fast.nonces() or slow.nonces():  # one nonce per response, in the header and the scripts
        assert len(fast.nonces()) == 1
        assert len(slow.nonces()) == 1


def test_each_page_has_its_own_nonce_in_its_policy_and_its_scripts(django_app: Django) -> None:
    certificate = make_certificate()
    application = VerificationResponder(django_app)
    environ = wsgi_environ(f"/verify/{certificate.number}/")

    first, second = Answer(application, dict(environ)), Answer(application, dict(environ))

    assert django_app.served == 0
    assert len(first.nonces()) == len(second.nonces()) == 1
    assert first.nonces() != second.nonces()
    (nonce,) = first.nonces()
    assert f"'nonce-{nonce}'" in first.headers["Content-Security-Policy"]
    assert f'nonce="{nonce}"' in first.body.decode()


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
        ("a session cookie spelt loosely", {"HTTP_COOKIE": "theme=dark; sessionid =abc"}),
        ("a malformed CSRF cookie", {"HTTP_COOKIE": "csrftoken=short"}),
        ("no Host header at all", {"HTTP_HOST": ""}),
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
    assert fast.status == slow.status  # both Django's (a new CSRF cookie differs every time)


def test_other_cookies_do_not_keep_a_visitor_from_the_responder(django_app: Django) -> None:
    certificate = make_certificate()

    fast, slow, answered_itself = both(
        django_app, wsgi_environ(f"/verify/{certificate.number}/", HTTP_COOKIE="theme=dark")
    )

    assert answered_itself
    assert_same(fast, slow)


def test_a_query_with_too_many_fields_gets_django_s_400_not_an_error(
    django_app: Django, caplog: pytest.LogCaptureFixture
) -> None:
    certificate = make_certificate()
    query = "&".join(f"f{index}=1" for index in range(1500))

    with caplog.at_level(logging.ERROR, logger="peritus.registry.responder"):
        fast, slow, answered_itself = both(
            django_app, wsgi_environ(f"/verify/{certificate.number}/", query=query)
        )

    assert not answered_itself
    assert fast.status.startswith("400")
    assert slow.status.startswith("400")
    assert "responder failed" not in caplog.text


def test_a_repeated_seal_parameter_is_read_as_django_reads_it(django_app: Django) -> None:
    certificate = make_certificate()
    seal = CertificateVersion.objects.get(certificate=certificate).seal

    for query in (f"t=forged&t={seal}", f"t={seal}&t=forged", "t=", "other=1"):
        fast, slow, answered_itself = both(
            django_app, wsgi_environ(f"/verify/{certificate.number}/", query=query)
        )
        assert answered_itself
        assert_same(fast, slow)


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_the_proxy_s_word_on_the_scheme_is_taken_as_django_takes_it() -> None:
    certificate = make_certificate()
    django_app = Django()

    for proto in ("http", "https", "https, http"):
        fast, slow, answered_itself = both(
            django_app,
            wsgi_environ(
                f"/verify/{certificate.number}/",
                HTTP_X_FORWARDED_PROTO=proto,
                **{"wsgi.url_scheme": "https"},
            ),
        )
        assert answered_itself
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


def test_with_redis_a_refusal_handed_to_django_is_counted_once(
    django_app: Django, settings: Any
) -> None:
    certificate = make_certificate()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
        }
    }
    settings.PERITUS = {**settings.PERITUS, "VERIFICATION_RATE_LIMIT": "2/m"}
    caches["default"].clear()
    application = VerificationResponder(django_app)
    path = f"/api/v1/certificates/{certificate.number}/verification"

    with time_machine.travel(dt.datetime(2026, 11, 26, 10, 0, 30, tzinfo=dt.UTC), tick=False):
        statuses = [Answer(application, wsgi_environ(path)).status for _ in range(4)]
    server: Any = redis.Redis.from_url("redis://127.0.0.1:6379/14")
    counted = sum(int(server.get(key)) for key in server.scan_iter(match="*rl:verify:*"))
    caches["default"].clear()

    assert statuses == ["200 OK", "200 OK", "429 Too Many Requests", "429 Too Many Requests"]
    assert django_app.served == 2  # the refusals, answered by Django
    assert counted == 4  # each request once, though two were seen by both


def test_it_can_be_turned_off(django_app: Django, settings: Any) -> None:
    settings.PERITUS = {**settings.PERITUS, "VERIFICATION_RESPONDER": False}
    certificate = make_certificate()

    _fast, _slow, answered_itself = both(django_app, wsgi_environ(f"/verify/{certificate.number}/"))

    assert not answered_itself


@pytest.mark.django_db(transaction=True)  # a connection of its own, as a gunicorn thread has
def test_a_connection_the_database_dropped_is_replaced_and_the_answer_given(
    django_app: Django, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 600)  # kept, as in production
    connection.close()
    certificate = make_certificate()
    application = VerificationResponder(django_app)
    environ = wsgi_environ(f"/verify/{certificate.number}/")
    assert Answer(application, dict(environ)).status == "200 OK"
    dropped = connection.connection
    assert dropped is not None

    if connection.vendor == "postgresql":  # the server ends the session (a restart, a timeout)
        server = connection.settings_dict
        with psycopg.connect(
            dbname=server["NAME"],
            user=server["USER"],
            host=server["HOST"],
            port=server["PORT"] or 5432,
            autocommit=True,
        ) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [dropped.info.backend_pid])
    else:  # a SQLite file has no server to drop it: Django itself closed it
        connection.close()
    answer = Answer(application, dict(environ))

    assert answer.status == "200 OK"
    assert connection.connection is not None
    assert connection.connection is not dropped
    assert django_app.served == 0


def test_an_error_on_a_working_connection_is_not_retried_and_django_answers(
    django_app: Django, monkeypatch: pytest.MonkeyPatch
) -> None:
    certificate = make_certificate()
    calls: list[str] = []

    def locked(number: str, **kwargs: Any) -> Any:
        calls.append(number)
        raise OperationalError("database is locked")

    monkeypatch.setattr("peritus.registry.responder.verify_certificate", locked)

    answer = Answer(
        VerificationResponder(django_app), wsgi_environ(f"/verify/{certificate.number}/")
    )

    assert calls == [certificate.number]  # once: the connection was fine, so no retry
    assert answer.status == "200 OK"  # Django's own answer
    assert django_app.served == 1


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
