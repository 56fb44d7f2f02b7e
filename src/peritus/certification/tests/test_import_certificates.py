from __future__ import annotations

import datetime as dt
import io
import pathlib

import pytest
from django.core.management import CommandError, call_command

from peritus.audit_trail.models import AuditEvent
from peritus.certification import numbers
from peritus.certification.documents import revision_pdf
from peritus.certification.events import CertificationEvent
from peritus.certification.models import (
    Certificate,
    CertificateStatus,
    CertificateStatusChange,
    CertificateVersion,
    CertificationDecision,
    DecisionKind,
)
from peritus.certification.register_import import read_rows
from peritus.certification.tests.pdf_text import extract_text
from peritus.schemes.models import SchemeVersion
from peritus.schemes.tests.factories import make_published_version

pytestmark = pytest.mark.django_db

HEADER = (
    "external_reference,given_names,family_name,email,certificate_number,scope,issued_on,"
    "expires_on,status,status_since,register_consent"
)


@pytest.fixture
def version() -> SchemeVersion:
    return make_published_version()


def write(tmp_path: pathlib.Path, *lines: str, header: str = HEADER) -> pathlib.Path:
    path = tmp_path / "register.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def run(path: pathlib.Path, slug: str, *flags: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_certificates", str(path), "--scheme", slug, *flags, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def good_rows() -> list[str]:
    return [
        "OLD-1,Åsa,Lindqvist,asa@example.org,OLD/2019/0001,L1;L2,2024-03-01,2027-02-28,valid,,yes",
        "OLD-2,Bruno,Costa,,,L1,2023-01-15,2026-01-14,withdrawn,2025-06-01,no",
        "OLD-3,Chen,Wei,,,L2,2022-01-10,2025-01-09,expired,2025-01-10,yes",
    ]


def test_a_register_is_imported_with_a_decision_revision_and_history_for_each_row(
    tmp_path: pathlib.Path, version: SchemeVersion
) -> None:
    out, _err = run(write(tmp_path, *good_rows()), version.scheme.slug)

    assert "imported 3 certificate(s)" in out
    kept = Certificate.objects.get(number="OLD/2019/0001")
    assert kept.holder_name == "Åsa Lindqvist"
    assert kept.register_listed
    assert {item.code for item in kept.scope_items.all()} == {"L1", "L2"}
    decision = kept.decision
    assert decision.kind == DecisionKind.IMPORTED
    assert "register.csv" in decision.source
    assert CertificateVersion.objects.filter(certificate=kept, revision=1).exists()
    withdrawn = Certificate.objects.get(external_reference="OLD-2")
    assert withdrawn.status == CertificateStatus.WITHDRAWN
    assert withdrawn.status_since == dt.date(2025, 6, 1)
    assert numbers.has_valid_check(withdrawn.number)
    assert list(
        CertificateStatusChange.objects.filter(certificate=withdrawn).values_list(
            "to_status", flat=True
        )
    ) == ["valid", "withdrawn"]
    assert (
        AuditEvent.objects.filter(event_type=CertificationEvent.CERTIFICATE_IMPORTED).count() == 3
    )


def test_an_imported_certificate_verifies_and_can_be_downloaded(
    tmp_path: pathlib.Path, version: SchemeVersion, client: object
) -> None:
    run(write(tmp_path, *good_rows()), version.scheme.slug)
    kept = Certificate.objects.get(number="OLD/2019/0001")

    pdf = revision_pdf(CertificateVersion.objects.get(certificate=kept))

    assert "Lindqvist" in extract_text(pdf)


def test_running_the_same_file_twice_imports_nothing_the_second_time(
    tmp_path: pathlib.Path, version: SchemeVersion
) -> None:
    path = write(tmp_path, *good_rows())
    run(path, version.scheme.slug)

    out, _err = run(path, version.scheme.slug)

    assert "imported 0 certificate(s)" in out
    assert "3 already present" in out
    assert Certificate.objects.count() == 3
    assert CertificationDecision.objects.count() == 3


def test_a_dry_run_checks_everything_and_writes_nothing(
    tmp_path: pathlib.Path, version: SchemeVersion
) -> None:
    out, _err = run(write(tmp_path, *good_rows()), version.scheme.slug, "--dry-run")

    assert "3 certificate(s) would be imported" in out
    assert not Certificate.objects.exists()


def test_every_bad_row_is_reported_by_line_and_nothing_is_imported(
    tmp_path: pathlib.Path, version: SchemeVersion
) -> None:
    path = write(
        tmp_path,
        good_rows()[0],
        "OLD-1,Again,Duplicate,,,L1,2024-03-01,2027-02-28,,,",
        "OLD-5,Dana,Badday,,,L1,2024-02-30,2027-02-28,,,",
        "OLD-6,Eve,Backwards,,,L1,2024-03-01,2023-03-01,,,",
        "OLD-7,Finn,Nowhere,,,L9,2024-03-01,2027-03-01,,,",
        "OLD-8,Gus,Twin,,OLD/2019/0001,L1,2024-03-01,2027-03-01,,,",
        "OLD-9,,Nameless,,,L1,2024-03-01,2027-03-01,,,",
        "OLD-10,Hal,Odd,,,L1,2024-03-01,2027-03-01,lapsed,,",
    )

    with pytest.raises(CommandError) as refusal:
        run(path, version.scheme.slug)

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_certificates",
            str(path),
            "--scheme",
            version.scheme.slug,
            stdout=out,
            stderr=err,
        )
    report = err.getvalue()
    assert "nothing was imported" in str(refusal.value)
    assert "\n" not in str(refusal.value)
    assert "line 3: external_reference:" in report
    assert "[duplicate]" in report
    assert "line 4: issued_on:" in report
    assert "[bad_date]" in report
    assert "line 5: expires_on:" in report
    assert "[expiry_before_issue]" in report
    assert "line 6: scope: L9 not in the scope" in report
    assert "line 7: certificate_number:" in report
    assert "line 8: given_names: is required" in report
    assert "line 9: status:" in report
    assert not Certificate.objects.exists()
    assert not CertificationDecision.objects.exists()


def test_an_unknown_scope_code_is_reported_against_the_records(
    tmp_path: pathlib.Path, version: SchemeVersion
) -> None:
    path = write(tmp_path, good_rows()[0], "OLD-7,Finn,Nowhere,,,L9,2024-03-01,2027-03-01,,,")
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_certificates", str(path), "--scheme", version.scheme.slug, stderr=err)

    assert "line 3: scope: L9 not in the scope" in err.getvalue()
    assert not Certificate.objects.exists()


def test_a_number_already_in_the_register_is_a_duplicate(
    tmp_path: pathlib.Path, version: SchemeVersion
) -> None:
    run(write(tmp_path, good_rows()[0]), version.scheme.slug)
    path = write(tmp_path, "NEW-1,Ines,Copy,,OLD/2019/0001,L1,2024-03-01,2027-03-01,,,")
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_certificates", str(path), "--scheme", version.scheme.slug, stderr=err)

    assert "already a certificate in this register" in err.getvalue()


def test_an_imported_number_in_the_schemes_format_is_never_drawn_again(
    tmp_path: pathlib.Path, version: SchemeVersion
) -> None:
    prefix = numbers.prefix_for(version.scheme.code)
    existing = numbers.format_number(prefix, 41)
    run(
        write(tmp_path, f"OLD-41,Ivo,Early,,{existing},L1,2024-03-01,2027-03-01,,,"),
        version.scheme.slug,
    )
    run(write(tmp_path, "OLD-42,Jon,Later,,,L1,2024-03-01,2027-03-01,,,"), version.scheme.slug)

    assert Certificate.objects.get(external_reference="OLD-42").number == numbers.format_number(
        prefix, 42
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"external_reference,given_names\n", "missing columns"),
        (HEADER.encode() + b",favourite_colour\n", "unknown columns: favourite_colour"),
        (HEADER.encode() + b"\nOLD-1,\xff\xfe,x\n", "line 2: the file is not UTF-8"),
    ],
)
def test_an_unreadable_file_is_refused_with_a_one_line_reason(
    tmp_path: pathlib.Path, version: SchemeVersion, content: bytes, reason: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError) as refusal:
        run(path, version.scheme.slug)

    assert reason in str(refusal.value)
    assert str(refusal.value).startswith("refused:")


def test_an_unknown_scheme_is_refused(tmp_path: pathlib.Path) -> None:
    with pytest.raises(CommandError, match="no scheme has the slug"):
        run(write(tmp_path, *good_rows()), "no-such-scheme")


def test_a_byte_order_mark_and_blank_lines_are_accepted() -> None:
    content = ("\ufeff" + HEADER + "\n\n" + good_rows()[0] + "\n").encode()

    rows, errors = read_rows(content)

    assert errors == []
    assert rows[0].line == 3
    assert rows[0].scope == ("L1", "L2")
