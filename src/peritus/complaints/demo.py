"""Demo complaints at each stage, built with the services (idempotent: one per demo address)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peritus.certification.models import Certificate, CertificateStatus
from peritus.complaints.models import Complaint, ComplaintAbout, TriageCategory
from peritus.complaints.services import (
    accept_complaint,
    assign_handler,
    close_complaint,
    declare_independence,
    raise_corrective_action,
    reject_complaint,
    report_progress,
    resolve_complaint,
    submit_complaint,
)
from peritus.core.demo import DemoContext


def _exists(email: str) -> bool:
    return Complaint.objects.filter(complainant_email=email).exists()


def load(ctx: DemoContext) -> None:
    manager = ctx.users.get("quality manager")
    handler = ctx.users.get("complaints handler")
    examiner = ctx.users.get("examiner")
    if manager is None or handler is None or examiner is None:
        return
    today = timezone.localdate()

    email = "j.meyer@complainant.example"
    if not _exists(email):
        submit_complaint(
            name="Jana Meyer", email=email, about=ComplaintAbout.BODY,
            subject_description="Exam session in Lyon, results letter",
            description="My results letter arrived three weeks after the date you announced, "
            "and nobody answered my two emails asking about it.",
            desired_outcome="An explanation, and that other candidates are told on time.",
        )  # fmt: skip

    email = "r.ahmed@complainant.example"
    if not _exists(email):
        complaint = submit_complaint(
            name="Rashid Ahmed", email=email, about=ComplaintAbout.EXAMINER,
            subject_description="Practical exam, welding bay 2",
            description="The examiner made remarks about my accent during the practical exam "
            "and hurried me through the last task.",
            desired_outcome="That this is looked into and does not happen to others.",
        )  # fmt: skip
        complaint = accept_complaint(
            actor=manager, complaint=complaint, category=TriageCategory.ABOUT_BODY,
            reasons="About the conduct of an examiner acting for the body.",
            subject_staff=examiner,
        )  # fmt: skip
        complaint = assign_handler(actor=manager, complaint=complaint, handler=handler)
        complaint = declare_independence(actor=handler, complaint=complaint)
        report_progress(
            actor=handler, complaint=complaint,
            message="We have spoken to the invigilator present and asked the examiner for an "
            "account. We expect to give you the outcome within three weeks.",
        )  # fmt: skip
        resolve_complaint(
            actor=handler, complaint=complaint, outcome="partly_upheld",
            findings="The invigilator confirms remarks about the candidate's accent; the timing "
            "was within the rules. The examiner is retrained and observed at the next session.",
        )  # fmt: skip
        raise_corrective_action(
            actor=handler, complaint=complaint, title="Examiner conduct briefing",
            description="An examiner made remarks about a candidate's accent.", owner=manager,
            due_on=today + dt.timedelta(days=45),
        )  # fmt: skip
        close_complaint(
            actor=handler, complaint=complaint,
            note="The examiner was retrained; a corrective action follows the briefing.",
        )  # fmt: skip

    email = "m.keller@employer.example"
    certificate = (
        Certificate.objects.filter(status=CertificateStatus.VALID)
        .select_related("holder", "decision")
        .exclude(holder__user=handler)
        .exclude(decision__decided_by=handler)
        .order_by("pk")
        .first()
    )
    if certificate is not None and not _exists(email):
        complaint = submit_complaint(
            name="Martin Keller", email=email, organisation="Keller Bau GmbH",
            about=ComplaintAbout.CERTIFIED_PERSON,
            subject_description=f"Certificate {certificate.number}",
            description="The inspector signed off welds on our site that later failed an "
            "independent test; the report copies text from another site's report.",
        )  # fmt: skip
        complaint = accept_complaint(
            actor=manager, complaint=complaint, category=TriageCategory.ABOUT_CERTIFIED_PERSON,
            reasons="About the work of a person the body certifies.",
            subject_certificate=certificate,
        )  # fmt: skip
        complaint = assign_handler(actor=manager, complaint=complaint, handler=handler)
        declare_independence(actor=handler, complaint=complaint)

    email = "noreply-shop@spam.example"
    if not _exists(email):
        complaint = submit_complaint(
            name="Web shop", email=email, about=ComplaintAbout.OTHER,
            description="My parcel from your online shop never arrived.",
        )  # fmt: skip
        reject_complaint(
            actor=manager, complaint=complaint,
            reasons="We do not run a shop: this concerns another company.",
        )  # fmt: skip
    ctx.log(f"  {Complaint.objects.count()} complaints")
