"""The certificate document: its contents, its QR code and its two renderers."""

from __future__ import annotations

import datetime as dt
import re
import string

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st

from peritus.certification import credentials
from peritus.certification.pdf import (
    CertificateContent,
    ScopeLine,
    Seal,
    Superseded,
    is_printable,
    minimum_content_gaps,
    render_certificate,
)
from peritus.certification.qr import qr_matrix
from peritus.certification.tests.pdf_text import extract_text, page_streams


def content(**fields: object) -> CertificateContent:
    values: dict[str, object] = {
        "body_name": "Peritus Certification Body",
        "holder_name": "Ada Lindqvist",
        "number": "WI-0001234-W",
        "revision": 1,
        "scheme_code": "WI",
        "scheme_name": "Welding Inspector",
        "scheme_version": "2026.1",
        "standard_reference": "ISO/IEC 17024:2012",
        "scope": (
            ScopeLine("L2", "Weld inspection", "2", "Fusion welds in carbon steel only"),
            ScopeLine("VT", "Visual testing"),
        ),
        "issued_on": dt.date(2026, 3, 1),
        "valid_from": dt.date(2026, 3, 1),
        "expires_on": dt.date(2029, 2, 28),
    }
    values.update(fields)
    return CertificateContent(**values)  # type: ignore[arg-type]


SEAL = Seal(
    verification_url="https://peritus.example.org/verify/WI-0001234-W/",
    qr_url="https://peritus.example.org/verify/WI-0001234-W/?t=" + "x" * 215,
    key_id="Se1j1KfPe4qHVHVw",
    content_digest="9ea30e27f616aa2af64982c1fc49527e" * 2,
)


def test_the_document_shows_every_minimum_content_of_r5() -> None:
    text = extract_text(render_certificate(content(), SEAL))

    for expected in (
        "Ada Lindqvist",
        "WI-0001234-W",
        "Peritus Certification Body",
        "Welding Inspector",
        "version 2026.1",
        "ISO/IEC 17024:2012",
        "L2 Weld inspection",
        "Limitations: Fusion welds in carbon steel only",
        "1 March 2026",
        "28 February 2029",
        "https://peritus.example.org/verify/WI-0001234-W/",
        "Se1j1KfPe4qHVHVw",
        "remains the property of Peritus Certification Body",
    ):
        assert expected in text, expected


def test_the_document_is_a_well_formed_pdf_with_its_metadata() -> None:
    pdf = render_certificate(content(), SEAL)

    assert pdf.startswith(b"%PDF-1.4")
    assert pdf.rstrip().endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\n(\d+)", pdf).group(1))  # type: ignore[union-attr]
    assert pdf[startxref:].startswith(b"xref")
    offsets = [int(line[:10]) for line in pdf[startxref:].split(b"\n")[3:11]]
    assert all(re.match(rb"\d+ 0 obj", pdf[offset:]) for offset in offsets)
    assert b"/Title (Certificate WI-0001234-W)" in pdf


def test_the_same_contents_give_the_same_bytes() -> None:
    assert render_certificate(content(), SEAL) == render_certificate(content(), SEAL)


def test_a_superseded_revision_is_marked_across_the_page() -> None:
    text = extract_text(
        render_certificate(content(), SEAL, superseded=Superseded(dt.date(2027, 1, 5), 2))
    )

    assert "SUPERSEDED" in text
    assert "SUPERSEDED on 5 January 2027 by revision 2" in text


def test_the_qr_code_carries_the_verification_url_with_the_seal() -> None:
    pdf = render_certificate(content(), SEAL)
    matrix, _version = qr_matrix(SEAL.qr_url.encode())
    expected = segno.make(SEAL.qr_url, error="m", mask=4, boost_error=False, micro=False)

    assert [list(row) for row in matrix] == [list(row) for row in expected.matrix]
    stream = b"".join(page_streams(pdf))
    assert stream.count(b" 1 re") > 100  # the QR modules are drawn


def test_a_name_beyond_western_european_letters_is_printed_with_an_embedded_font() -> None:
    pdf = render_certificate(content(holder_name="Łukasz Żółkiewski"), SEAL)

    assert b"FontFile2" in pdf or b"/Subtype /TrueType" in pdf or b"/Type0" in pdf
    assert is_printable("Łukasz Żółkiewski")


def test_minimum_contents_are_checked_before_issue() -> None:
    assert minimum_content_gaps(content()) == []
    gaps = minimum_content_gaps(content(holder_name=" ", scope=(), expires_on=dt.date(2026, 3, 1)))
    assert gaps == ["holder_name", "scope", "validity_period"]


def test_every_revision_of_the_contents_has_its_own_digest() -> None:
    first = credentials.content_digest(content().as_snapshot())
    renamed = credentials.content_digest(content(holder_name="Ada Berg").as_snapshot())

    assert first != renamed
    assert CertificateContent.from_snapshot(content().as_snapshot()) == content()


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet=string.ascii_letters + string.digits + "-_./:?=%", min_size=1, max_size=700)
)
def test_the_fast_qr_encoder_builds_exactly_segnos_symbol(data: str) -> None:
    matrix, version = qr_matrix(data.encode())
    reference = segno.make(data, error="m", mask=4, boost_error=False, micro=False, mode="byte")

    assert version == reference.version
    assert [list(row) for row in matrix] == [list(row) for row in reference.matrix]


def test_text_in_the_content_stream_is_escaped() -> None:
    pdf = render_certificate(content(holder_name="Ada (née Berg) \\ Lind"), SEAL)

    assert "Ada (née Berg) \\ Lind" in extract_text(pdf)
    assert b"Ada \\(n\xe9e Berg\\) \\\\ Lind" in b"".join(page_streams(pdf))


@pytest.mark.parametrize("language", ["fr", "de", "es"])
def test_the_certificate_is_printed_in_the_holders_language(language: str) -> None:
    text = extract_text(render_certificate(content(language=language), SEAL))

    assert "Ada Lindqvist" in text
