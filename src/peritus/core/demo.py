"""Running the demo loaders of every Django app, in dependency order.

Each app may have a `demo.py` with `load(ctx: DemoContext) -> None`. Loaders build their data with
the product's own services (so the demo obeys every rule), are idempotent, and are seeded so the
demo looks the same on every machine.
"""

from __future__ import annotations

import dataclasses
import importlib
import random
from collections.abc import Callable
from typing import Any

from django.apps import apps

DEMO_PASSWORD = "peritus-demo-2026"  # noqa: S105 - shown on the sign-in page in demo mode only
DEMO_TOTP_SECRET = "PERITUSDEMOSTAFFSECONDFACTOR2345"  # noqa: S105 - demo staff's shared TOTP secret


@dataclasses.dataclass
class DemoContext:
    """Shared state between loaders: a seeded random source and the people made so far."""

    log: Callable[[str], None]
    rng: random.Random = dataclasses.field(default_factory=lambda: random.Random(17024))  # noqa: S311 - demo data, not security
    users: dict[str, Any] = dataclasses.field(default_factory=dict)
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)


def demo_loaders() -> list[tuple[str, Callable[[DemoContext], None]]]:
    loaders = []
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("peritus."):
            continue
        try:
            module = importlib.import_module(f"{app_config.name}.demo")
        except ModuleNotFoundError as error:
            if error.name != f"{app_config.name}.demo":
                raise
            continue
        if hasattr(module, "load"):
            loaders.append((app_config.label, module.load))
    return loaders


def load_demo(log: Callable[[str], None]) -> DemoContext:
    ctx = DemoContext(log=log)
    for label, loader in demo_loaders():
        log(f"· {label}")
        loader(ctx)
    return ctx
