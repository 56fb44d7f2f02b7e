"""R22: an appeal is heard by people who took no part in the appellant's file.

None of the appellant's examiners, markers, invigilators or trainers, nobody who decided about
them (certification, eligibility, accommodation, a change of their certificate's status), and
nobody who declared a conflict of interest with them. The service refuses such a panel member
whoever calls; the case page shows the same reasons before anyone clicks.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.utils.translation import gettext as _

from peritus.appeals.involvement import (
    Involvement,
    InvolvementKind,
    PersonFile,
    involvements_with,
)
from peritus.appeals.models import Appeal


@dataclasses.dataclass(frozen=True)
class Obstacle:
    """One reason a person may not hear this appeal: a stable code and words."""

    code: str
    message: str


def _name(user: Any) -> str:
    return str(getattr(user, "full_name", "") or getattr(user, "email", "") or user)


def describe(involvement: Involvement, user: Any) -> Obstacle:
    name = _name(user)
    record = involvement.record
    match involvement.kind:
        case InvolvementKind.IS_THE_PERSON:
            return Obstacle(
                "panel_member_is_appellant", _("%(name)s is the appellant.") % {"name": name}
            )
        case InvolvementKind.EXAMINED:
            return Obstacle(
                "panel_member_examined_appellant",
                _("%(name)s examined or marked the appellant (%(record)s).")
                % {"name": name, "record": record},
            )
        case InvolvementKind.INVIGILATED:
            return Obstacle(
                "panel_member_invigilated_appellant",
                _("%(name)s invigilated an assessment of the appellant (%(record)s).")
                % {"name": name, "record": record},
            )
        case InvolvementKind.TRAINED:
            return Obstacle(
                "panel_member_trained_appellant",
                _("%(name)s trained the appellant.") % {"name": name},
            )
        case InvolvementKind.REVIEWED_ELIGIBILITY:
            return Obstacle(
                "panel_member_reviewed_eligibility",
                _("%(name)s reviewed the appellant's eligibility (%(record)s).")
                % {"name": name, "record": record},
            )
        case InvolvementKind.DECIDED:
            return Obstacle(
                "panel_member_made_original_decision",
                _("%(name)s made a decision about the appellant (%(record)s).")
                % {"name": name, "record": record},
            )
        case _:
            return Obstacle(
                "panel_member_declared_conflict",
                _("%(name)s declared a conflict of interest with the appellant.") % {"name": name},
            )


def panel_obstacles(user: Any, appeal: Appeal, *, file: PersonFile | None = None) -> list[Obstacle]:
    """Why `user` may not hear (validate, sit on the panel of, decide) `appeal`: empty if none."""
    return [
        describe(involvement, user)
        for involvement in involvements_with(user, appeal.appellant, file=file)
    ]
