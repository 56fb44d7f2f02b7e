"""The evidence pack an assessor takes away: one ZIP with a PDF summary (7.1, product.md §2.10).

summary.pdf                 the chain in words, for reading
chain.json                  the same facts, for machines
audit-events.json           every audit event of the chain with its hashes (verifiable)
decisions/<ref>.json        each decision's evidence snapshot and its digest
certificate/<number>-r<n>.pdf   every revision as issued (superseded ones marked)
evidence/<id>-<name>        the files the candidate supplied
results/<id>-<name>         attachments to the results
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from peritus.certification.documents import revision_pdf
from peritus.certification.evidence import EvidenceChain
from peritus.exams.models import ResultAttachment


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80] or "file"


def _when(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def _person(user: Any) -> str:
    return user.full_name or user.email if user is not None else _("system")


def chain_facts(chain: EvidenceChain) -> dict[str, Any]:
    """The chain as plain data (ids, codes, dates, names of the personnel who acted)."""
    application = chain.application
    return {
        "generated_at": timezone.now(),
        "person": {"id": chain.person.pk, "name": chain.person.full_name},
        "application": None
        if application is None
        else {
            "reference": application.reference,
            "status": application.status,
            "scheme_version": str(application.scheme_version),
            "submitted_at": application.submitted_at,
            "attestation_version": application.attestation_version,
            "attestation_signed_at": application.attestation_signed_at,
            "code_of_conduct_version": application.code_of_conduct_version,
            "code_of_conduct_accepted_at": application.code_of_conduct_accepted_at,
            "register_consent": application.register_consent,
        },
        "evidence_files": [
            {"id": f.pk, "kind": f.kind, "name": f.original_name, "sha256": f.sha256}
            for f in chain.evidence_files
        ],
        "eligibility_reviews": [
            {
                "id": review.pk,
                "reviewer": _person(review.reviewer),
                "outcome": review.outcome,
                "reasons": review.reasons,
                "decided_at": review.decided_at,
                "findings": [
                    {
                        "prerequisite": finding.prerequisite.code,
                        "result": finding.result,
                        "note": finding.note,
                    }
                    for finding in review.findings.all()
                ],
            }
            for review in chain.eligibility_reviews
        ],
        "accommodations": [
            {
                "id": accommodation.pk,
                "kind": accommodation.kind,
                "status": accommodation.status,
                "decided_by": _person(accommodation.decided_by)
                if accommodation.decided_by
                else None,
                "reasons": accommodation.reasons,
            }
            for accommodation in chain.accommodations
        ],
        "assessments": [
            {
                "event": link.event.reference,
                "component": link.event.component.code,
                "starts_at": link.event.starts_at,
                "examiners": [_person(a.user) for a in link.examiners],
                "invigilators": [_person(a.user) for a in link.invigilators],
                "declarations": [
                    {
                        "declarant": _person(d.declarant),
                        "has_conflict": d.has_conflict,
                        "nature": d.nature,
                        "declared_at": d.declared_at,
                    }
                    for d in link.declarations
                ],
                "results": [
                    {
                        "id": result.pk,
                        "component": result.component.code,
                        "score": result.score,
                        "passed": result.passed,
                        "status": result.status,
                        "first_marker": _person(result.first_marker),
                        "second_marker": _person(result.second_marker)
                        if result.second_marker
                        else None,
                        "released_at": result.released_at,
                    }
                    for result in link.results
                ],
            }
            for link in chain.assessments
        ],
        "combined_outcome": None
        if chain.assessment is None
        else {
            "passed": chain.assessment.passed,
            "complete": chain.assessment.complete,
            "all_released": chain.assessment.all_released,
            "total": chain.assessment.total,
        },
        "decisions": [
            {
                "reference": decision.reference,
                "kind": decision.kind,
                "outcome": decision.outcome,
                "decided_by": _person(decision.decided_by) if decision.decided_by else None,
                "decided_at": decision.decided_at,
                "rationale": decision.rationale,
                "scope": [item.code for item in decision.scope_items.all()],
                "evidence_digest": decision.evidence_digest,
                "source": decision.source,
            }
            for decision in chain.decisions
        ],
        "certificate": None
        if chain.certificate is None
        else {
            "number": chain.certificate.number,
            "status": chain.certificate.status,
            "status_since": chain.certificate.status_since,
            "issued_on": chain.certificate.issued_on,
            "valid_from": chain.certificate.valid_from,
            "expires_on": chain.certificate.expires_on,
            "scope": chain.certificate.scope,
        },
        "certificate_versions": [
            {
                "revision": version.revision,
                "reason": version.reason,
                "issued_at": version.issued_at,
                "issued_by": _person(version.issued_by) if version.issued_by else None,
                "content_digest": version.content_digest,
                "pdf_sha256": version.pdf_sha256,
                "key_id": version.key_id,
                "superseded_at": version.superseded_at,
            }
            for version in chain.versions
        ],
        "status_history": [
            {
                "from": change.from_status,
                "to": change.to_status,
                "effective_on": change.effective_on,
                "recorded_at": change.recorded_at,
                "by": _person(change.actor) if change.actor else None,
                "reason": change.reason,
            }
            for change in chain.status_changes
        ],
    }


def _audit_rows(chain: EvidenceChain) -> list[dict[str, Any]]:
    return [
        {
            "sequence": event.sequence,
            "event_type": event.event_type,
            "occurred_at": event.occurred_at,
            "actor": event.actor_label,
            "actor_role": event.actor_role,
            "subject": f"{event.subject_type}#{event.subject_id}",
            "reason": event.reason,
            "payload": event.payload,
            "prev_hash": event.prev_hash,
            "hash": event.hash,
        }
        for event in chain.audit_events
    ]


def summary_pdf(chain: EvidenceChain, facts: dict[str, Any]) -> bytes:
    """A readable summary of the chain for an assessor."""
    styles = getSampleStyleSheet()
    story: list[Any] = []

    def heading(text: str) -> None:
        story.append(Spacer(1, 4 * mm))
        story.append(Paragraph(xml_escape(text), styles["Heading2"]))

    def line(text: str) -> None:
        story.append(Paragraph(xml_escape(text), styles["BodyText"]))

    def table(rows: list[list[str]]) -> None:
        if len(rows) <= 1:
            line(_("None recorded."))
            return
        cells = [
            [Paragraph(xml_escape(str(cell)), styles["BodyText"]) for cell in row] for row in rows
        ]
        grid = Table(cells, repeatRows=1)
        grid.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(grid)

    story.append(
        Paragraph(
            xml_escape(_("Evidence chain: %(title)s") % {"title": chain.title}), styles["Title"]
        )
    )
    line(_("Person: %(name)s") % {"name": chain.person.full_name})
    line(_("Generated: %(when)s") % {"when": _when(facts["generated_at"])})
    if chain.application is not None:
        application = chain.application
        heading(_("Application"))
        line(
            f"{application.reference} · {application.scheme_version} · {application.get_status_display()}"
        )
        line(_("Submitted: %(when)s") % {"when": _when(application.submitted_at)})
        line(
            _("Attestation %(version)s signed %(when)s")
            % {
                "version": application.attestation_version,
                "when": _when(application.attestation_signed_at),
            }
        )
        line(
            _("Code of conduct %(version)s accepted %(when)s")
            % {
                "version": application.code_of_conduct_version,
                "when": _when(application.code_of_conduct_accepted_at),
            }
        )
    heading(_("Evidence supplied"))
    table(
        [[_("File"), _("Kind"), _("SHA-256")]]
        + [[f.original_name, f.kind, f.sha256[:16] + "…"] for f in chain.evidence_files]
    )
    heading(_("Eligibility review"))
    table(
        [[_("Reviewer"), _("Outcome"), _("Findings"), _("Reasons")]]
        + [
            [
                _person(review.reviewer),
                review.outcome,
                ", ".join(
                    f"{finding.prerequisite.code}: {finding.result}"
                    for finding in review.findings.all()
                ),
                review.reasons,
            ]
            for review in chain.eligibility_reviews
        ]
    )
    heading(_("Accommodations"))
    table(
        [[_("Kind"), _("Status"), _("Decided by"), _("Reasons")]]
        + [
            [a.kind, a.status, _person(a.decided_by) if a.decided_by else "—", a.reasons]
            for a in chain.accommodations
        ]
    )
    heading(_("Assessments, personnel and declarations"))
    table(
        [[_("Event"), _("Examiners"), _("Invigilators"), _("Declarations"), _("Results")]]
        + [
            [
                f"{link.event.reference} {link.event.component.code} {_when(link.event.starts_at)}",
                ", ".join(_person(a.user) for a in link.examiners),
                ", ".join(_person(a.user) for a in link.invigilators),
                "; ".join(
                    f"{_person(d.declarant)}: {_('conflict') if d.has_conflict else _('no conflict')}"
                    for d in link.declarations
                ),
                "; ".join(
                    f"{r.component.code} {r.score} {_('passed') if r.passed else _('not passed')} ({r.status}, {_('released')} {_when(r.released_at)})"
                    for r in link.results
                ),
            ]
            for link in chain.assessments
        ]
    )
    if chain.assessment is not None:
        line(
            _("Combined outcome: %(outcome)s; all results released: %(released)s")
            % {
                "outcome": _("passed") if chain.assessment.passed else _("not passed"),
                "released": _("yes") if chain.assessment.all_released else _("no"),
            }
        )
    heading(_("Decisions"))
    table(
        [[_("Reference"), _("Outcome"), _("Decision maker"), _("When"), _("Rationale")]]
        + [
            [
                decision.reference,
                decision.get_outcome_display(),
                _person(decision.decided_by) if decision.decided_by else (decision.source or "—"),
                _when(decision.decided_at),
                decision.rationale,
            ]
            for decision in chain.decisions
        ]
    )
    heading(_("Certificate revisions"))
    table(
        [[_("Revision"), _("Reason"), _("Issued"), _("Document SHA-256"), _("Superseded")]]
        + [
            [
                str(v.revision),
                v.get_reason_display(),
                _when(v.issued_at),
                (v.pdf_sha256[:16] + "…") if v.pdf_sha256 else "—",
                _when(v.superseded_at),
            ]
            for v in chain.versions
        ]
    )
    heading(_("Status history"))
    table(
        [[_("From"), _("To"), _("Effective"), _("By"), _("Reason")]]
        + [
            [
                c.from_status or "—",
                c.to_status,
                str(c.effective_on),
                _person(c.actor) if c.actor else _("system"),
                c.reason,
            ]
            for c in chain.status_changes
        ]
    )
    heading(_("Audit events"))
    table(
        [["#", _("When"), _("Event"), _("Actor"), _("Hash")]]
        + [
            [str(e.sequence), _when(e.occurred_at), e.event_type, e.actor_label, e.hash[:16] + "…"]
            for e in chain.audit_events
        ]
    )
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=_("Evidence chain %(title)s") % {"title": chain.title},
        author="Peritus",
    ).build(story)
    return buffer.getvalue()


def _read(name: str) -> bytes | None:
    if not name:
        return None
    try:
        with default_storage.open(name) as handle:
            content: bytes = handle.read()
    except (FileNotFoundError, OSError):
        return None
    return content


def build_pack(chain: EvidenceChain) -> bytes:
    """The ZIP described in the module docstring."""
    facts = chain_facts(chain)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        pack.writestr("summary.pdf", summary_pdf(chain, facts))
        pack.writestr(
            "chain.json", json.dumps(facts, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        )
        pack.writestr(
            "audit-events.json",
            json.dumps(_audit_rows(chain), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        )
        for decision in chain.decisions:
            pack.writestr(
                f"decisions/{decision.reference}.json",
                json.dumps(
                    {
                        "evidence_digest": decision.evidence_digest,
                        "evidence_snapshot": decision.evidence_snapshot,
                    },
                    cls=DjangoJSONEncoder,
                    indent=2,
                ),
            )
        for version in chain.versions:
            pack.writestr(
                f"certificate/{_safe_name(version.certificate.number)}-r{version.revision}.pdf",
                revision_pdf(version),
            )
        for evidence in chain.evidence_files:
            content = _read(evidence.file.name or "")
            if content is not None:
                pack.writestr(
                    f"evidence/{evidence.pk}-{_safe_name(evidence.original_name)}", content
                )
        result_ids = [result.pk for link in chain.assessments for result in link.results]
        for attachment in ResultAttachment.objects.filter(result_id__in=result_ids).order_by("pk"):
            content = _read(attachment.file.name or "")
            if content is not None:
                pack.writestr(
                    f"results/{attachment.pk}-{_safe_name(attachment.original_name)}", content
                )
    return buffer.getvalue()
