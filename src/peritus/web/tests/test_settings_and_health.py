"""Production settings refuse insecure defaults; `check --deploy` is clean when configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

PROJECT = Path(__file__).resolve().parents[4]
PEM_KEY = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIH7kWoDi1BNriWIwdt5HZMLzdDTCU+MLE55r3+No+8go\n-----END PRIVATE KEY-----\n"  # a throwaway test key


def run_peritus(*args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PERITUS_", "DJANGO_"))
    }
    clean.pop("SECRET_KEY", None)
    clean.pop("ALLOWED_HOSTS", None)
    clean.pop("EMAIL_URL", None)
    clean.update(environment)
    clean.setdefault(
        "DATABASE_URL", f"sqlite:///{PROJECT / 'var' / 'test' / 'deploy-check.sqlite3'}"
    )
    return subprocess.run(
        [sys.executable, "-m", "peritus.config.manage", *args],
        env=clean, capture_output=True, text=True, timeout=120, check=False, cwd=PROJECT,
    )  # fmt: skip


def test_production_settings_refuse_to_start_without_secrets() -> None:
    result = run_peritus("check")

    assert result.returncode != 0
    assert "Refusing to start with insecure settings" in result.stderr
    for needed in ("SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL", "PERITUS_SIGNING_KEY"):
        assert needed in result.stderr


def test_production_settings_refuse_a_console_mailer() -> None:
    result = run_peritus(
        "check", SECRET_KEY="k" * 60, ALLOWED_HOSTS="certs.example.org", EMAIL_URL="console://",
        PERITUS_SIGNING_KEY=PEM_KEY,
    )  # fmt: skip

    assert result.returncode != 0
    assert "EMAIL_URL must name a real mailer" in result.stderr


def test_check_deploy_is_clean_under_production_settings() -> None:
    result = run_peritus(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY="a-long-random-production-secret-" + "x9Kq2" * 8, ALLOWED_HOSTS="certs.example.org",
        EMAIL_URL="smtp+tls://mailer:secret@mail.example.org:587", PERITUS_SIGNING_KEY=PEM_KEY,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_health_answers_200_with_json_when_the_database_answers(client: Client) -> None:
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


def test_the_body_sets_its_deadlines_through_the_environment() -> None:
    shown = (
        "from django.conf import settings; "
        "print(settings.PERITUS_APPEALS_DECISION_DAYS, settings.PERITUS_EXPIRY_REMINDER_DAYS)"
    )
    result = run_peritus(
        "shell", "-v", "0", "-c", shown, PERITUS_DEBUG="true", PERITUS_APPEALS_DECISION_DAYS="45",
        PERITUS_EXPIRY_REMINDER_DAYS="120, 60,14",
    )  # fmt: skip
    refused = run_peritus("check", PERITUS_DEBUG="true", PERITUS_COMPLAINTS_TRIAGE_DAYS="ten")

    assert result.stdout.split() == ["45", "[120,", "60,", "14]"], result.stderr
    assert refused.returncode != 0
    assert "PERITUS_COMPLAINTS_TRIAGE_DAYS must be an integer" in refused.stderr
