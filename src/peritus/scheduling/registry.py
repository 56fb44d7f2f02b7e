"""The registry of scheduled jobs behind `peritus tick`.

Each Django app declares its periodic work in `jobs.py` with `@register_job`. A job takes the
current time as a parameter (so `peritus tick --now` can simulate a date), is idempotent, calls
services, and returns a one-line summary of what it did.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

JobFunction = Callable[[dt.datetime], str]


@dataclasses.dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    function: JobFunction
    description: str


_jobs: dict[str, Job] = {}


def register_job(name: str, *, every: dt.timedelta) -> Callable[[JobFunction], JobFunction]:
    def decorator(function: JobFunction) -> JobFunction:
        if name in _jobs and _jobs[name].function is not function:
            raise ValueError(f"a job named {name!r} is already registered")
        _jobs[name] = Job(
            name,
            every,
            function,
            (function.__doc__ or "").strip().splitlines()[0] if function.__doc__ else "",
        )
        return function

    return decorator


def registered_jobs() -> list[Job]:
    return [_jobs[name] for name in sorted(_jobs)]


def get_job(name: str) -> Job:
    return _jobs[name]
