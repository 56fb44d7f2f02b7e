"""Releasing a frozen form for live sittings (R18: a cut score first).

Error codes: `ItemBankError` (409) ``form_not_approved``, ``already_released``,
``no_approved_cut_score``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role
from peritus.accounts.services import require_role
from peritus.audit_trail.services import record_event
from peritus.itembank.errors import ItemBankError
from peritus.itembank.models import ExamForm, FormStatus
from peritus.itembank.services.items import require_item_role
from peritus.itembank.statistics.events import StatisticsEvent
from peritus.itembank.statistics.models import FormRelease
from peritus.itembank.statistics.selectors import get_approved_study


@transaction.atomic(durable=True)
def release_form_for_use(*, actor: Any, form: ExamForm) -> FormRelease:
    """Put an approved (frozen) form into use, only with an approved standard-setting record
    whose pass mark is its pass rule (R18). By a psychometrician or the scheme manager."""
    form = ExamForm.objects.select_for_update().select_related("blueprint__bank").get(pk=form.pk)
    bank = form.blueprint.bank
    if has_role(actor, RoleCode.SCHEME_MANAGER, scheme_id=bank.scheme_id):
        require_role(actor, RoleCode.SCHEME_MANAGER, scheme_id=bank.scheme_id)
    else:
        require_item_role(actor, RoleCode.PSYCHOMETRICIAN, bank)
    if form.status != FormStatus.APPROVED:
        raise ItemBankError("form_not_approved", _("Only an approved (frozen) form is released."))
    if FormRelease.objects.filter(form=form).exists():
        raise ItemBankError("already_released", _("This form is already in use."))
    study = get_approved_study(form)
    if study is None:
        raise ItemBankError(
            "no_approved_cut_score",
            _("A form goes live only with an approved standard-setting record (R18)."),
        )
    release = FormRelease.objects.create(
        form=form, study=study, released_by=actor, released_at=timezone.now()
    )
    record_event(
        StatisticsEvent.FORM_RELEASED, actor=actor, subject=form, related=[study],
        data={"form": form.code, "pass_mark": str(study.pass_mark), "study": study.pk},
    )  # fmt: skip
    return release
