"""Validation of exported XML against the official schemas shipped in `schemas/` (lxml).

lxml is a development dependency: the product never validates at run time, the test suite does.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).parent / "schemas"


@functools.cache
def _schema(name: str) -> Any:
    from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def validation_errors(document: bytes, *, schema: str = "imscp_v1p1.xsd") -> list[str]:
    """Every message of the schema validator; empty when the document is valid."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    tree = etree.fromstring(document, parser)
    validator = _schema(schema)
    if validator.validate(tree):
        return []
    return [f"{error.line}: {error.message}" for error in validator.error_log]
