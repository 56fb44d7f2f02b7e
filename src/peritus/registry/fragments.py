"""The content of the verification pages, built in Python (product.md §5).

Verification must serve most of the throughput of a trivial view; Django's template engine spends
~1 ms on this content alone, string building ~0.05 ms. Every value is escaped here; every
sentence is translatable with `gettext`. The full templates and the cached layout (shell.py)
both show exactly this HTML.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Sequence
from html import escape as _escape

from django.urls import reverse
from django.utils import formats, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from peritus.certification.selectors import RegisterEntry, Verification, VerificationMiss

DATE_FORMAT = "j F Y"
JSON_URL_MARK = "NUMBER"


def escape(value: object) -> str:
    """HTML-escape (the standard library's, which Django's `escape` wraps in lazy handling)."""
    return _escape(str(value), quote=True)


@functools.lru_cache(maxsize=2048)
def _translated(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


_language = threading.local()


def _(message: str) -> str:
    """gettext, remembered per language: the catalogue lookups dominated this page's cost. The
    language is read once per fragment (`_active_language`)."""
    return _translated(_current_language(), message)


def _current_language() -> str:
    return getattr(_language, "code", None) or translation.get_language() or "en"


def _e(message: str) -> str:
    """`_` escaped for HTML, remembered like the translation itself."""
    return _escaped(_current_language(), message)


@functools.lru_cache(maxsize=2048)
def _escaped(language: str, message: str) -> str:
    return escape(_translated(language, message))


class _active_language:  # noqa: N801 - used as a context manager, reads like a statement
    def __enter__(self) -> None:
        _language.code = translation.get_language() or "en"

    def __exit__(self, *exc: object) -> None:
        _language.code = None


@functools.lru_cache(maxsize=8192)
def _formatted_date(language: str, value: dt.date) -> str:
    with translation.override(language):
        return formats.date_format(value, DATE_FORMAT)


def _plain_date(value: dt.date) -> str:
    return _formatted_date(_current_language(), value)


def _date(value: dt.date) -> str:
    return escape(_plain_date(value))


@functools.cache
def _verify_url() -> str:
    return reverse("registry:verify")


@functools.cache
def _json_url_pattern() -> str:
    return reverse("api:verification", kwargs={"number": JSON_URL_MARK})


def number_field(value: str, errors: list[str] | None = None) -> str:
    error_html = ""
    described = "verify-number-help"
    if errors:
        spans = " ".join(f"<span>{escape(error)}</span>" for error in errors)
        error_html = f'<div class="field-error" id="verify-number-error">{spans}</div>'
        described += " verify-number-error"
    invalid = " field-invalid" if errors else ""
    return (
        f'<div class="field{invalid}">'
        f'<label for="verify-number">{_e("Certificate number")}</label>'
        f'<div class="help" id="verify-number-help">'
        f"{_e('As printed on the certificate, for example WI-0001234-K')}</div>"
        f"{error_html}"
        f'<input type="text" name="number" id="verify-number" value="{escape(value)}" '
        f'maxlength="64" autocomplete="off" spellcheck="false" required '
        f'aria-describedby="{described}"></div>'
    )


def _verify_form(value: str, *, label: str, button: str, button_class: str) -> str:
    return (
        f'<form method="get" action="{_verify_url()}" class="panel stack" '
        f'aria-label="{escape(label)}">{number_field(value)}'
        f'<div class="actions"><button type="submit" class="{button_class}">{escape(button)}'
        f"</button></div></form>"
    )


def _verdict(v: Verification, today: dt.date) -> str:
    if v.is_superseded:
        badge, css = _("Superseded"), "superseded"
        lines = [
            escape(
                _(
                    "This revision was superseded on %(since)s by revision %(revision)s. "
                    "It must no longer be used."
                )
                % {"since": _plain_date(v.status_since), "revision": v.current_revision}
            ),
            _("The certificate itself is <strong>%(status)s</strong> since %(since)s.")
            % {
                "status": escape(v.certificate_status_label.lower()),
                "since": _date(v.certificate_status_since),
            },
        ]
        verdict_class = "expired"
    elif v.status == "valid":
        badge, css, verdict_class = _("Valid"), "valid", "valid"
        lines = [
            escape(
                _("Valid today, %(today)s, until %(until)s inclusive.")
                % {
                    "today": _plain_date(today),
                    "until": _plain_date(v.expires_on),
                }
            )
        ]
    elif v.status == "suspended":
        badge, css, verdict_class = _("Suspended"), "suspended", "suspended"
        lines = [
            escape(
                _(
                    "Suspended since %(since)s. While suspended, the holder may not claim this "
                    "certification."
                )
                % {"since": _plain_date(v.status_since)}
            )
        ]
    elif v.status == "withdrawn":
        badge, css, verdict_class = _("Withdrawn"), "withdrawn", "withdrawn"
        lines = [
            escape(
                _("Withdrawn since %(since)s. The holder is no longer certified.")
                % {"since": _plain_date(v.status_since)}
            )
        ]
    else:
        badge, css, verdict_class = _("Expired"), "expired", "expired"
        lines = [
            escape(
                _("Expired since %(since)s. The holder is no longer certified unless recertified.")
                % {"since": _plain_date(v.status_since)}
            )
        ]
    paragraphs = "".join(f"<p>{line}</p>" for line in lines)
    return (
        f'<section class="verdict verdict-{verdict_class}" aria-labelledby="verdict-heading">'
        f'<h2 id="verdict-heading" class="visually-hidden">{_e("Status")}</h2>'
        f'<p><span class="status status-{css}">{escape(badge)}</span></p>{paragraphs}</section>'
    )


def _seal(v: Verification, body_name: str) -> str:
    if v.seal is None:
        return ""
    if v.seal.verified:
        note = ""
        if v.seal.revision != v.current_revision:
            note = (
                f"<p>{_e('That revision has since been superseded: check the status above.')}</p>"
            )
        text = _(
            "The QR code carries a valid digital seal of %(body)s for revision %(revision)s of "
            "this certificate: the document was issued by us and its contents were not altered."
        ) % {"body": body_name, "revision": v.seal.revision}
        return (
            f'<div class="callout callout-ok" role="status"><h2>{_e("Seal verified")}</h2>'
            f"<p>{escape(text)}</p>{note}</div>"
        )
    return (
        f'<div class="callout callout-danger" role="alert"><h2>{_e("Seal not verified")}'
        f"</h2><p>"
        + escape(
            _(
                "The QR code's seal does not match this certificate. The document may have been "
                "altered or forged: rely only on the details shown on this page."
            )
        )
        + f'</p><p class="muted">{_e("Reason")}: <code>{escape(v.seal.code)}</code></p></div>'
    )


def _scope(v: Verification) -> str:
    items = []
    for line in v.scope:
        level = f" — {_e('level')} {escape(line['level'])}" if line["level"] else ""
        limits = (
            f'<br><span class="muted">{_e("Limitations")}: {escape(line["limitations"])}</span>'
            if line["limitations"]
            else ""
        )
        items.append(
            f"<li><strong>{escape(line['code'])}</strong> {escape(line['title'])}{level}{limits}</li>"
        )
    return f'<ul class="plain-list">{"".join(items)}</ul>'


def verification_fragment(v: Verification, *, today: dt.date, body_name: str) -> SafeString:
    """The content of /verify/<number>/ for a certificate that exists."""
    with _active_language():
        return _verification_fragment(v, today=today, body_name=body_name)


def _verification_fragment(v: Verification, *, today: dt.date, body_name: str) -> SafeString:
    revision_note = ""
    if v.current_revision > 1:
        revision_note = (
            " ("
            + escape(_("current revision %(revision)s") % {"revision": v.current_revision})
            + ")"
        )
    facts = [
        (_e("Holder"), escape(v.holder_name)),
        (
            _e("Scheme"),
            f"{escape(v.scheme_name)} ({escape(v.scheme_code)}, {_e('version')} "
            f"{escape(v.scheme_version)})",
        ),
        (_e("Scope"), _scope(v)),
        (_e("Status"), f"{escape(v.status_label)}, {_e('since')} {_date(v.status_since)}"),
        (_e("Issued on"), _date(v.issued_on)),
        (_e("Effective from"), _date(v.valid_from)),
        (_e("Expires on"), _date(v.expires_on)),
        (_e("Certificate number"), escape(v.certificate_number) + revision_note),
    ]
    facts_html = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in facts)
    json_url = _json_url_pattern().replace(JSON_URL_MARK, v.reference)
    as_of = _('Status as of %(today)s. Also available <a href="%(url)s">as JSON</a>.') % {
        "today": _date(today),
        "url": escape(json_url),
    }
    heading = escape(_("Certificate %(number)s") % {"number": v.reference})
    return mark_safe(  # noqa: S308 - every value above is escaped
        f"<h1>{heading}</h1>{_verdict(v, today)}{_seal(v, body_name)}"
        f'<section class="panel" aria-labelledby="details-heading">'
        f'<h2 id="details-heading">{_e("Details")}</h2>'
        f'<dl class="facts">{facts_html}</dl><p class="muted">{as_of}</p></section>'
        + _verify_form(
            v.reference,
            label=_("Verify another certificate"),
            button=_("Check another number"),
            button_class="button button-secondary",
        )
    )


def miss_fragment(miss: VerificationMiss, *, number: str) -> SafeString:
    """The content of /verify/<number>/ when no certificate has that number."""
    with _active_language():
        return _miss_fragment(miss, number=number)


def _miss_fragment(miss: VerificationMiss, *, number: str) -> SafeString:
    if miss.typo:
        advice = _(
            "The number seems mistyped: its last character, a check character, does not match "
            "the rest. Compare it with the certificate character by character and try again."
        )
    else:
        advice = _(
            "Check the number against the certificate. If it is right, this certificate was not "
            "issued by us: do not rely on it, and tell us where you saw it."
        )
    heading = _("No certificate has the number %(number)s") % {"number": number}
    return mark_safe(  # noqa: S308 - every value above is escaped
        f"<h1>{_e('Certificate not found')}</h1>"
        f'<section class="verdict verdict-not-found" aria-labelledby="verdict-heading">'
        f'<h2 id="verdict-heading">{escape(heading)}</h2><p>{escape(advice)}</p></section>'
        + _verify_form(
            number,
            label=_("Verify a certificate"),
            button=_("Check status"),
            button_class="button",
        )
    )


def register_rows(entries: Sequence[RegisterEntry]) -> SafeString:
    """The result rows of /register/ (built here for the same reason as the verification page)."""
    with _active_language():
        labels = {"suspended": _("Suspended"), "valid": _("Valid")}
        prefix = _verify_url()
        rows = [
            f"<tr><td>{escape(entry.holder_name)}</td><td>{escape(entry.scheme_name)}</td>"
            f"<td>{escape(', '.join(line['code'] for line in entry.scope))}</td>"
            f'<td><span class="status status-{escape(entry.status)}">'
            f"{escape(labels.get(entry.status, entry.status))}</span></td>"
            f"<td>{_date(entry.expires_on)}</td>"
            f'<td><a href="{prefix}{escape(entry.number)}/">{escape(entry.number)}</a></td></tr>'
            for entry in entries
        ]
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped
