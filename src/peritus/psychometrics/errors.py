"""Errors raised by the psychometrics engine.

Every error carries a stable, machine-readable ``code`` (clients and the command line rely on it)
and a human sentence. Input errors also carry the 1-based line number of the offending record
when there is one, so that a person can fix the file.
"""

from __future__ import annotations

from typing import override


class PsychometricsError(Exception):
    """A computation that cannot give a meaningful answer for this input."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @override
    def __str__(self) -> str:
        return self.message


class PsychometricsInputError(PsychometricsError):
    """A response, key or group file (or array) that breaks the documented format."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        line: int | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(code, message)
        self.line = line
        self.source = source

    @override
    def __str__(self) -> str:
        where = ""
        if self.source is not None:
            where = self.source
        if self.line is not None:
            where = f"{where} line {self.line}" if where else f"line {self.line}"
        return f"{where}: {self.message}" if where else self.message
