"""Whether the findings of a review meet a version's prerequisites (pure; clause 9.1).

Each prerequisite is met, not met, or not applicable to the scope applied for. Prerequisites
sharing an alternative group are routes to the same end (R15: a rule naming one training provider
must also accept an equivalent route): one met is enough, and the group is satisfied when none of
its routes applies. A prerequisite outside any group must be met unless it does not apply.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping, Sequence

MET = "met"
NOT_MET = "not_met"
NOT_APPLICABLE = "not_applicable"


@dataclasses.dataclass(frozen=True)
class Requirement:
    id: int
    code: str
    group: str = ""


def unmet_requirements(
    requirements: Sequence[Requirement], results: Mapping[int, str]
) -> list[str]:
    """Codes (or alternative groups, as 'a | b') that the findings leave unmet; empty when eligible.

    Raises KeyError when a requirement has no finding.
    """
    unmet: list[str] = []
    groups: dict[str, list[Requirement]] = defaultdict(list)
    for requirement in requirements:
        result = results[requirement.id]
        if requirement.group:
            groups[requirement.group].append(requirement)
        elif result == NOT_MET:
            unmet.append(requirement.code)
    for members in groups.values():
        member_results = [results[member.id] for member in members]
        if MET not in member_results and NOT_MET in member_results:
            unmet.append(" | ".join(member.code for member in members))
    return unmet
