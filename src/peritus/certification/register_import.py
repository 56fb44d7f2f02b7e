"""Reading a register of certified persons exported by another system (pure: no database).

The file is CSV, UTF-8 (a byte-order mark is accepted), with a header row naming these columns
(order free, names case-insensitive; extra columns are refused so a typo cannot drop data):

| column               | required | meaning                                                                       |
|----------------------|----------|-------------------------------------------------------------------------------|
| external_reference   | yes      | the record's identifier in the previous system; unique in the file; makes a   |
|                      |          | second run of the same file skip what it already imported                     |
| given_names          | yes      | as on the certificate                                                         |
| family_name          | yes      | as on the certificate                                                         |
| email                | no       | where notices go                                                              |
| date_of_birth        | no       | YYYY-MM-DD                                                                    |
| certificate_number   | no       | the number printed by the previous system, kept so that paper in circulation  |
|                      |          | still verifies; empty: a new number from the scheme's series                  |
| scheme_version       | no       | the version label (e.g. 2024.1); empty: the scheme's published version        |
| scope                | yes      | scope item codes of that version, separated by `;` (e.g. `L1;L2`)             |
| issued_on            | yes      | YYYY-MM-DD                                                                    |
| valid_from           | no       | YYYY-MM-DD; empty: issued_on                                                  |
| expires_on           | yes      | YYYY-MM-DD, the last day of validity; after valid_from                        |
| status               | no       | valid, suspended, withdrawn or expired; empty: valid                          |
| status_since         | no       | YYYY-MM-DD; empty: valid_from                                                 |
| decided_on           | no       | date of the original certification decision; empty: valid_from                |
| decision_reference   | no       | the decision's reference in the previous system (kept as its source)          |
| register_consent     | no       | yes/no (also true/false, 1/0); empty: no — not listed in the public register  |
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from typing import override

from peritus.certification.numbers import number_key
from peritus.certification.status import CertificateStatus

COLUMNS = (
    "external_reference",
    "given_names",
    "family_name",
    "email",
    "date_of_birth",
    "certificate_number",
    "scheme_version",
    "scope",
    "issued_on",
    "valid_from",
    "expires_on",
    "status",
    "status_since",
    "decided_on",
    "decision_reference",
    "register_consent",
)
REQUIRED = ("external_reference", "given_names", "family_name", "scope", "issued_on", "expires_on")
MAX_LENGTHS = {
    "external_reference": 64,
    "given_names": 150,
    "family_name": 150,
    "email": 254,
    "certificate_number": 40,
    "scheme_version": 20,
    "decision_reference": 120,
}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-/. ]{0,39}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclasses.dataclass(frozen=True)
class RowError:
    line: int
    column: str
    code: str
    message: str

    @override
    def __str__(self) -> str:
        where = f" {self.column}:" if self.column else ""
        return f"line {self.line}:{where} {self.message} [{self.code}]"


@dataclasses.dataclass(frozen=True)
class RegisterRow:
    """One certificate of the previous register, checked for form."""

    line: int
    external_reference: str
    given_names: str
    family_name: str
    email: str
    date_of_birth: dt.date | None
    certificate_number: str
    scheme_version: str
    scope: tuple[str, ...]
    issued_on: dt.date
    valid_from: dt.date
    expires_on: dt.date
    status: str
    status_since: dt.date
    decided_on: dt.date
    decision_reference: str
    register_consent: bool


class FileRefusedError(ValueError):
    """The file as a whole cannot be read (encoding, header)."""


def _date(value: str, line: int, column: str, errors: list[RowError]) -> dt.date | None:
    if not value:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(
            RowError(line, column, "bad_date", f"{value!r} is not a date written YYYY-MM-DD")
        )
        return None


def read_rows(content: bytes) -> tuple[list[RegisterRow], list[RowError]]:
    """Every row, or the reasons rows are wrong (line numbers count the header as line 1)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise FileRefusedError(f"line {line}: the file is not UTF-8") from error
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration as error:
        raise FileRefusedError("the file is empty") from error
    except csv.Error as error:
        raise FileRefusedError(f"line 1: {error}") from error
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    if unknown or missing or len(set(header)) != len(header):
        parts = []
        if missing:
            parts.append("missing columns: " + ", ".join(missing))
        if unknown:
            parts.append("unknown columns: " + ", ".join(unknown))
        if len(set(header)) != len(header):
            parts.append("a column is named twice")
        raise FileRefusedError("line 1: " + "; ".join(parts))
    rows: list[RegisterRow] = []
    errors: list[RowError] = []
    seen_references: dict[str, int] = {}
    seen_numbers: dict[str, int] = {}
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(RowError(reader.line_num, "", "bad_csv", str(error)))
            break
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            errors.append(
                RowError(
                    line,
                    "",
                    "wrong_cell_count",
                    f"{len(cells)} cells where the header names {len(header)}",
                )
            )
            continue
        values = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
        row = _read_row(line, values, errors)
        if row is None:
            continue
        if row.external_reference in seen_references:
            errors.append(
                RowError(
                    line,
                    "external_reference",
                    "duplicate",
                    f"{row.external_reference!r} is already on line "
                    f"{seen_references[row.external_reference]}",
                )
            )
            continue
        seen_references[row.external_reference] = line
        if row.certificate_number:
            key = number_key(row.certificate_number)
            if key in seen_numbers:
                errors.append(
                    RowError(
                        line,
                        "certificate_number",
                        "duplicate",
                        f"{row.certificate_number!r} is already on line {seen_numbers[key]}",
                    )
                )
                continue
            seen_numbers[key] = line
        rows.append(row)
    return rows, errors


def _read_row(line: int, values: dict[str, str], errors: list[RowError]) -> RegisterRow | None:
    before = len(errors)
    for column in REQUIRED:
        if not values.get(column):
            errors.append(RowError(line, column, "required", "is required"))
    for column, limit in MAX_LENGTHS.items():
        if len(values.get(column, "")) > limit:
            errors.append(RowError(line, column, "too_long", f"is longer than {limit} characters"))
    email = values.get("email", "")
    if email and not _EMAIL.match(email):
        errors.append(RowError(line, "email", "bad_email", f"{email!r} is not an email address"))
    number = values.get("certificate_number", "")
    if number and not _NUMBER.match(number):
        errors.append(
            RowError(
                line, "certificate_number", "bad_number", "holds characters a number cannot have"
            )
        )
    date_of_birth = _date(values.get("date_of_birth", ""), line, "date_of_birth", errors)
    issued_on = _date(values.get("issued_on", ""), line, "issued_on", errors)
    valid_from = _date(values.get("valid_from", ""), line, "valid_from", errors) or issued_on
    expires_on = _date(values.get("expires_on", ""), line, "expires_on", errors)
    status_since = _date(values.get("status_since", ""), line, "status_since", errors)
    decided_on = _date(values.get("decided_on", ""), line, "decided_on", errors)
    status = values.get("status", "").lower() or CertificateStatus.VALID
    if status not in CertificateStatus.values:
        errors.append(
            RowError(
                line,
                "status",
                "unknown_status",
                f"{status!r} is not one of {', '.join(CertificateStatus.values)}",
            )
        )
    consent = values.get("register_consent", "").lower()
    if consent not in YES | NO:
        errors.append(RowError(line, "register_consent", "bad_consent", "write yes or no"))
    scope = tuple(code.strip() for code in values.get("scope", "").split(";") if code.strip())
    if values.get("scope") and not scope:
        errors.append(RowError(line, "scope", "required", "names no scope item"))
    if valid_from and expires_on and expires_on <= valid_from:
        errors.append(
            RowError(
                line,
                "expires_on",
                "expiry_before_issue",
                f"the expiry date {expires_on} is not after the effective date {valid_from}",
            )
        )
    if issued_on and valid_from and valid_from < issued_on - dt.timedelta(days=366):
        errors.append(
            RowError(
                line, "valid_from", "effective_long_before_issue", "is over a year before issued_on"
            )
        )
    if valid_from and status_since and status_since < valid_from:
        errors.append(
            RowError(line, "status_since", "status_before_effect", "is before the effective date")
        )
    if valid_from and decided_on and decided_on > valid_from:
        errors.append(
            RowError(
                line,
                "decided_on",
                "decision_after_effect",
                "a certificate cannot take effect before its decision (R2)",
            )
        )
    if len(errors) > before or issued_on is None or valid_from is None or expires_on is None:
        return None
    return RegisterRow(
        line=line,
        external_reference=values["external_reference"],
        given_names=values["given_names"],
        family_name=values["family_name"],
        email=email.lower(),
        date_of_birth=date_of_birth,
        certificate_number=" ".join(number.upper().split()),
        scheme_version=values.get("scheme_version", ""),
        scope=scope,
        issued_on=issued_on,
        valid_from=valid_from,
        expires_on=expires_on,
        status=status,
        status_since=status_since or valid_from,
        decided_on=decided_on or valid_from,
        decision_reference=values.get("decision_reference", ""),
        register_consent=consent in YES,
    )
