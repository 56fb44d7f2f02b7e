"""The engine stays a pure NumPy/SciPy library (import-linter enforces the same in CI)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
ALLOWED_THIRD_PARTY = {"numpy", "scipy", "matplotlib", "reportlab", "hypothesis", "pytest"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_module_imports_django_or_the_rest_of_peritus() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in {"django", "ninja"} or (
                top == "peritus" and not name.startswith("peritus.psychometrics")
            ):
                offenders.append(f"{path.relative_to(PACKAGE)}: {name}")
    assert offenders == []


def test_third_party_imports_are_the_scientific_stack_only() -> None:
    import sys

    stdlib = set(sys.stdlib_module_names)
    unexpected = sorted(
        {
            name.split(".")[0]
            for path in PACKAGE.rglob("*.py")
            for name in _imports(path)
            if name.split(".")[0] not in stdlib | ALLOWED_THIRD_PARTY | {"peritus"}
        }
    )
    assert unexpected == []
