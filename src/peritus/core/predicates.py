"""Typed entry points to the `rules` package (its partial annotations confuse mypy).

Use `@predicate` for object-level permission predicates and `add_perm` to register them;
predicates combine with `|`, `&` and `~` as in `rules`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules

Predicate = Any  # rules.Predicate: supports |, & and ~


def predicate(function: Callable[..., bool], name: str | None = None) -> Predicate:
    return rules.predicate(function, name=name) if name else rules.predicate(function)


def add_perm(name: str, rule: Predicate) -> None:
    rules.add_perm(name, rule)


is_superuser: Predicate = rules.is_superuser
is_authenticated: Predicate = rules.is_authenticated
