"""Reference rows every installation needs: the roles and a first personnel agreement.

Used by the data migration (with historical models) and after a database flush (demo reset,
browser tests), so the functions take the model classes as parameters.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from peritus.accounts.roles import ROLE_DEFINITIONS

INITIAL_AGREEMENT_TITLE = "Confidentiality, impartiality and interests agreement"
INITIAL_AGREEMENT_VERSION = "1.0"
INITIAL_AGREEMENT_BODY = """\
As a member of the personnel of the certification body (employee, contractor, committee member or
volunteer) I undertake:

1. Confidentiality. To keep confidential all information obtained in the course of certification
   activities — about applicants, candidates, certified persons, examination material and results —
   unless the person concerned has consented in writing or the law requires disclosure.
2. Impartiality. To act impartially and without discrimination, and not to let commercial,
   financial or other pressure influence any assessment or certification decision.
3. Interests. To declare, before I take part in any application review, examination, marking,
   decision, appeal or audit, any present or past relationship with the persons involved (as
   trainer, employer, colleague, relative or otherwise) and to withdraw where a conflict exists
   unless a recorded mitigation is approved by another person.
4. Examination security. To protect examination material in every form and at every step, and to
   report any suspected breach or irregularity at once.
5. Rules. To follow the body's documented procedures and the instructions for my role, and to
   cooperate with internal audits and accreditation assessments.

This agreement is renewed every year and whenever a new version is published.
"""


def ensure_roles(role_model: Any) -> None:
    for definition in ROLE_DEFINITIONS:
        role_model.objects.update_or_create(
            code=definition.code.value,
            defaults={
                "name": str(definition.code.label),
                "description": definition.description,
                "scheme_scoped": definition.scheme_scoped,
                "needs_agreement": definition.needs_agreement,
                "read_only": definition.read_only,
                "time_limited": definition.time_limited,
            },
        )


def ensure_initial_agreement(agreement_model: Any, role_model: Any) -> None:
    if agreement_model.objects.exists():
        return
    agreement = agreement_model.objects.create(
        title=INITIAL_AGREEMENT_TITLE,
        version=INITIAL_AGREEMENT_VERSION,
        body=INITIAL_AGREEMENT_BODY,
        effective_from=dt.date(2026, 1, 1),
    )
    agreement.roles.set(role_model.objects.all())


def ensure_reference_data() -> None:
    """After a flush: put the reference rows back (idempotent)."""
    from peritus.accounts.models import AgreementVersion, Role

    ensure_roles(Role)
    ensure_initial_agreement(AgreementVersion, Role)
