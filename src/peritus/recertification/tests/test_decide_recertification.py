from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.roles import RoleCode
from peritus.audit_trail.models import AuditEvent
from peritus.certification.models import Certificate, CertificateStatus, CertificateVersion
from peritus.impartiality.events import ImpartialityEvent
from peritus.notifications.models import OutboxMessage
from peritus.recertification.errors import (
    ImpartialityError,
    RecertificationError,
    RecertificationInputError,
)
from peritus.recertification.events import RecertificationEvent
from peritus.recertification.models import Submission, SubmissionStatus
from peritus.recertification.services import decide_recertification, review_submission
from peritus.recertification.tests.factories import (
    at,
    issued_certificate,
    log_hours,
    reload,
    set_hours_required,
    set_policy,
    staff,
    submit_recertification_as_holder,
)

pytestmark = pytest.mark.django_db

IN_WINDOW = dt.date(2028, 10, 1)


def ready_certificate(hours: int = 20, spot_check: int = 0) -> Certificate:
    certificate = issued_certificate()
    set_hours_required(certificate.scheme_version, hours)
    with at(dt.date(2027, 5, 1)):
        set_policy(
            reload(certificate).scheme_version,
            spot_check_percent=Decimal(spot_check),
            grace_period_days=60,
            work_log_required=True,
        )
        log_hours(certificate, "12", title="Coating course")
        log_hours(certificate, "8", title="Conference")
    return reload(certificate)


def reviewed(certificate: Certificate, **review: object) -> tuple[Submission, object]:
    reviewer = staff(RoleCode.ELIGIBILITY_REVIEWER)
    submission = submit_recertification_as_holder(certificate, work_log="Three years of welds.")
    review.setdefault("positive", True)
    review.setdefault("findings", "Certificates of attendance match the log.")
    return review_submission(actor=reviewer, submission=submission, **review), reviewer  # type: ignore[arg-type]


def test_recertification_cannot_be_submitted_before_the_window_opens() -> None:
    certificate = ready_certificate()
    with at(dt.date(2028, 8, 31)), pytest.raises(RecertificationError) as refused:
        submit_recertification_as_holder(certificate, work_log="Log.")
    assert refused.value.code == "window_not_open"


def test_recertification_with_too_few_hours_is_refused_at_submission() -> None:
    certificate = ready_certificate(hours=40)
    with at(IN_WINDOW), pytest.raises(RecertificationError) as refused:
        submit_recertification_as_holder(certificate, work_log="Log.")
    assert refused.value.code == "cpd_hours_short"
    assert refused.value.details["short"] == {"general": "20.0"}


def test_granted_in_the_window_validity_runs_from_the_previous_expiry() -> None:
    certificate = ready_certificate()
    with at(IN_WINDOW):
        submission, _reviewer = reviewed(certificate)
    with at(dt.date(2028, 11, 20)):
        decided = decide_recertification(
            actor=staff(RoleCode.DECISION_MAKER),
            submission=submission,
            grant=True,
            rationale="Hours and work log meet the scheme.",
        )

    renewed = reload(certificate)
    assert decided.status == SubmissionStatus.ACCEPTED
    assert (decided.expires_before, decided.expires_after) == (
        dt.date(2029, 2, 28),
        dt.date(2032, 2, 29),
    )
    assert renewed.expires_on == dt.date(2032, 2, 29)
    assert renewed.revision == 2
    assert CertificateVersion.objects.get(certificate=certificate, revision=2).reason == (
        "recertification"
    )
    assert decided.lifecycle_decision is not None
    assert decided.lifecycle_decision.notice is not None
    assert decided.lifecycle_decision.notice.template == "recertification_granted"
    assert AuditEvent.objects.filter(event_type=RecertificationEvent.RECERTIFIED).exists()


def test_granted_late_in_the_grace_period_gains_no_time() -> None:
    certificate = ready_certificate()
    with at(dt.date(2029, 3, 10)):
        submission, _reviewer = reviewed(certificate)
        decide_recertification(
            actor=staff(RoleCode.DECISION_MAKER),
            submission=submission,
            grant=True,
            rationale="Late but complete.",
        )
    renewed = reload(certificate)
    assert renewed.expires_on == dt.date(2032, 2, 29)
    assert renewed.status == CertificateStatus.VALID
    assert renewed.status_since == dt.date(2029, 3, 10)


def test_after_the_grace_period_the_holder_must_apply_again() -> None:
    certificate = ready_certificate()
    with at(dt.date(2029, 4, 30)), pytest.raises(RecertificationError) as refused:
        submit_recertification_as_holder(certificate, work_log="Log.")
    assert refused.value.code == "grace_period_over"


def test_the_reviewer_may_not_decide_and_the_refusal_is_audited() -> None:
    certificate = ready_certificate()
    with at(IN_WINDOW):
        reviewer = staff(RoleCode.ELIGIBILITY_REVIEWER)
        from peritus.accounts.tests.factories import grant_role

        grant_role(reviewer, RoleCode.DECISION_MAKER)
        submission = submit_recertification_as_holder(certificate, work_log="Log.")
        review_submission(actor=reviewer, submission=submission, positive=True, findings="Fine.")
        with pytest.raises(ImpartialityError) as refused:
            decide_recertification(
                actor=reviewer, submission=submission, grant=True, rationale="Fine."
            )

    assert refused.value.code == "decider_reviewed_recertification"
    assert reload(certificate).revision == 1
    event = AuditEvent.objects.get(event_type=ImpartialityEvent.ACTION_REFUSED)
    assert event.data == {
        "action": "decide_recertification",
        "code": "decider_reviewed_recertification",
    }


def test_only_a_decision_maker_decides() -> None:
    certificate = ready_certificate()
    with at(IN_WINDOW):
        submission, _reviewer = reviewed(certificate)
        with pytest.raises(RoleNotHeldError):
            decide_recertification(
                actor=staff(RoleCode.CERTIFICATION_OFFICER),
                submission=submission,
                grant=True,
                rationale="Fine.",
            )


def test_a_recertification_the_reviewer_did_not_recommend_cannot_be_granted() -> None:
    certificate = ready_certificate()
    with at(IN_WINDOW):
        submission, _reviewer = reviewed(certificate, positive=False, findings="Log too thin.")
        with pytest.raises(RecertificationError) as refused:
            decide_recertification(
                actor=staff(RoleCode.DECISION_MAKER),
                submission=submission,
                grant=True,
                rationale="Fine.",
            )
        decided = decide_recertification(
            actor=staff(RoleCode.DECISION_MAKER),
            submission=submission,
            grant=False,
            rationale="The work log does not show practice in the scope.",
        )

    assert refused.value.code == "not_recommended"
    assert decided.status == SubmissionStatus.REFUSED
    assert reload(certificate).expires_on == dt.date(2029, 2, 28)
    assert OutboxMessage.objects.filter(template="recertification_refused").count() == 1


def test_a_sampled_submission_needs_a_verdict_on_every_activity() -> None:
    certificate = ready_certificate(spot_check=100)
    with at(IN_WINDOW):
        submission = submit_recertification_as_holder(certificate, work_log="Log.")
        with pytest.raises(RecertificationInputError) as refused:
            review_submission(
                actor=staff(RoleCode.ELIGIBILITY_REVIEWER),
                submission=submission,
                positive=True,
                findings="Fine.",
            )
    assert submission.selected_for_audit
    assert refused.value.code == "audit_incomplete"


def test_rejected_evidence_stops_counting_and_the_hours_fall_short() -> None:
    certificate = ready_certificate(spot_check=100)
    with at(IN_WINDOW):
        submission = submit_recertification_as_holder(certificate, work_log="Log.")
        activities = list(submission.cpd_activities.order_by("pk"))
        verdicts = {activities[0].pk: "rejected", activities[1].pk: "accepted"}
        with pytest.raises(RecertificationError) as refused:
            review_submission(
                actor=staff(RoleCode.ELIGIBILITY_REVIEWER),
                submission=submission,
                positive=True,
                findings="The course certificate is not the holder's.",
                verdicts=verdicts,
            )
        done = review_submission(
            actor=staff(RoleCode.ELIGIBILITY_REVIEWER),
            submission=submission,
            positive=False,
            findings="The course certificate is not the holder's.",
            verdicts=verdicts,
        )
    assert refused.value.code == "cpd_hours_short"
    assert done.recommendation == "not_recommend"
    event = AuditEvent.objects.get(event_type=RecertificationEvent.REVIEWED)
    assert event.data["hours_after_audit"] == {"general": "8.0"}
    assert event.data["verdicts"] == {str(k): v for k, v in verdicts.items()}


def test_the_holder_cannot_review_their_own_submission() -> None:
    certificate = ready_certificate()
    holder = certificate.holder.user
    assert holder is not None
    with at(IN_WINDOW):
        from peritus.accounts.tests.factories import grant_role

        grant_role(holder, RoleCode.ELIGIBILITY_REVIEWER)
        submission = submit_recertification_as_holder(certificate, work_log="Log.")
        with pytest.raises(ImpartialityError) as refused:
            review_submission(actor=holder, submission=submission, positive=True, findings="Me.")
    assert refused.value.code == "reviewer_is_holder"


def test_a_submission_made_in_time_is_decided_even_after_the_grace_period() -> None:
    certificate = ready_certificate()
    with at(dt.date(2029, 2, 20)):
        submission, _reviewer = reviewed(certificate)
    with at(dt.date(2029, 5, 15)):  # grace (60 days) ended on 29 April
        decide_recertification(
            actor=staff(RoleCode.DECISION_MAKER),
            submission=submission,
            grant=True,
            rationale="Submitted in time; the review took long.",
        )
    renewed = reload(certificate)
    assert renewed.expires_on == dt.date(2032, 2, 29)
    assert renewed.status_since == dt.date(2029, 5, 15)  # expired from 1 March until the decision


def test_recertification_is_on_the_current_version_of_the_scheme() -> None:
    from peritus.schemes.models import SchemeVersion, SchemeVersionStatus
    from peritus.schemes.tests.factories import make_published_version

    certificate = ready_certificate()
    with at(IN_WINDOW):
        submission, _reviewer = reviewed(certificate)
        # The scheme committee replaced the certificate's version with a newer one.
        SchemeVersion.objects.filter(pk=certificate.scheme_version_id).update(
            status=SchemeVersionStatus.RETIRED
        )
        make_published_version(scheme=certificate.scheme)
        with pytest.raises(RecertificationError) as refused:
            decide_recertification(
                actor=staff(RoleCode.DECISION_MAKER),
                submission=submission,
                grant=True,
                rationale="Fine.",
            )
    assert refused.value.code == "scheme_version_superseded"
    assert reload(certificate).revision == 1
