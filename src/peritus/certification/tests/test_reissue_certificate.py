from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import default_storage

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.certification import credentials
from peritus.certification.documents import revision_pdf
from peritus.certification.errors import CertificationError, CertificationInputError
from peritus.certification.events import CertificationEvent
from peritus.certification.models import Certificate, CertificateStatus, CertificateVersion
from peritus.certification.services import reissue_certificate
from peritus.certification.tests.factories import make_certificate
from peritus.certification.tests.pdf_text import extract_text
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def rename(certificate: Certificate, family_name: str) -> None:
    holder = certificate.holder
    holder.family_name = family_name
    holder.save(update_fields=["family_name"])


def test_a_name_change_reissues_with_the_same_number_and_a_new_revision(officer: User) -> None:
    certificate = make_certificate(officer=officer)
    rename(certificate, "Okonkwo")

    reissued = reissue_certificate(
        certificate=certificate, actor=officer, reason="name_change", note="Deed poll 2026-11"
    )

    reissued = Certificate.objects.get(pk=certificate.pk)
    assert reissued.number == certificate.number
    assert reissued.revision == 2
    assert reissued.holder_name.endswith("Okonkwo")
    first, second = CertificateVersion.objects.filter(certificate=certificate).order_by("revision")
    assert first.superseded_at is not None
    assert second.superseded_at is None
    assert second.reason == "name_change"
    assert second.content["holder_name"].endswith("Okonkwo")
    assert first.content["holder_name"] == certificate.holder_name
    assert (reissued.valid_from, reissued.expires_on) == (
        certificate.valid_from,
        certificate.expires_on,
    )


def test_the_new_revision_has_its_own_seal_and_pdf_hash(officer: User) -> None:
    certificate = make_certificate(officer=officer)
    rename(certificate, "Okonkwo")
    reissue_certificate(certificate=certificate, actor=officer, reason="name_change", note="Deed")

    second = CertificateVersion.objects.get(certificate=certificate, revision=2)
    public_key = credentials.active_private_key().public_key()
    _kid, claims = credentials.open_seal(second.seal, {second.key_id: public_key})
    assert second.pdf.name
    with default_storage.open(second.pdf.name) as handle:
        pdf = handle.read()

    assert claims["r"] == 2
    assert hashlib.sha256(pdf).hexdigest() == second.pdf_sha256
    assert "Okonkwo" in extract_text(pdf)


def test_the_superseded_pdf_is_marked_superseded(officer: User) -> None:
    certificate = make_certificate(officer=officer)
    rename(certificate, "Okonkwo")
    reissue_certificate(certificate=certificate, actor=officer, reason="name_change", note="Deed")

    old = revision_pdf(CertificateVersion.objects.get(certificate=certificate, revision=1))
    current = revision_pdf(CertificateVersion.objects.get(certificate=certificate, revision=2))

    assert "SUPERSEDED" in extract_text(old)
    assert "by revision 2" in extract_text(old)
    assert "SUPERSEDED" not in extract_text(current)


def test_a_reissue_is_audited_and_the_holder_told(officer: User) -> None:
    certificate = make_certificate(officer=officer)
    rename(certificate, "Okonkwo")

    reissue_certificate(certificate=certificate, actor=officer, reason="name_change", note="Deed")

    event = AuditEvent.objects.get(event_type=CertificationEvent.CERTIFICATE_REISSUED)
    assert event.reason == "Deed"
    assert (event.data["revision"], event.data["superseded_revision"]) == (2, 1)
    assert OutboxMessage.objects.filter(template="certification_certificate_reissued").exists()


def test_a_name_change_needs_a_changed_name(officer: User) -> None:
    certificate = make_certificate(officer=officer)

    with pytest.raises(CertificationError) as error:
        reissue_certificate(certificate=certificate, actor=officer, reason="name_change", note="x")

    assert error.value.code == "name_unchanged"


def test_a_reissue_says_why(officer: User) -> None:
    certificate = make_certificate(officer=officer)

    with pytest.raises(CertificationInputError) as error:
        reissue_certificate(certificate=certificate, actor=officer, reason="correction", note=" ")
    with pytest.raises(CertificationInputError) as unknown:
        reissue_certificate(certificate=certificate, actor=officer, reason="whim", note="x")

    assert error.value.code == "reason_required"
    assert unknown.value.code == "invalid_reason"


@pytest.mark.parametrize("status", [CertificateStatus.WITHDRAWN, CertificateStatus.EXPIRED])
def test_a_withdrawn_or_expired_certificate_is_not_reissued(officer: User, status: str) -> None:
    certificate = make_certificate(officer=officer, status=status)

    with pytest.raises(CertificationError) as error:
        reissue_certificate(certificate=certificate, actor=officer, reason="correction", note="x")

    assert error.value.code == "not_reissuable"


def test_only_a_certification_officer_reissues(decision_maker: User) -> None:
    certificate = make_certificate()

    with pytest.raises(RoleNotHeldError):
        reissue_certificate(
            certificate=certificate, actor=decision_maker, reason="correction", note="x"
        )
