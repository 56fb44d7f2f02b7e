from __future__ import annotations

import pathlib

import pytest

from peritus.accounts.models import User
from peritus.itembank.models import ItemBank
from peritus.itembank.tests.factories import (
    make_author,
    make_bank,
    make_psychometrician,
    make_reviewer,
)
from peritus.schemes.models import Scheme
from peritus.schemes.tests.factories import make_scheme

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "qti"


@pytest.fixture
def scheme(db: None) -> Scheme:
    return make_scheme(code="CCSP", slug="cloud-security", name="Cloud Security Professional")


@pytest.fixture
def bank(scheme: Scheme) -> ItemBank:
    return make_bank(scheme, slug="cloud-security-items", name="Cloud security items")


@pytest.fixture
def author(scheme: Scheme) -> User:
    return make_author(scheme, email="author@peritus.example")


@pytest.fixture
def item_reviewer(scheme: Scheme) -> User:
    return make_reviewer(scheme, email="itemreviewer@peritus.example")


@pytest.fixture
def psychometrician(scheme: Scheme) -> User:
    return make_psychometrician(scheme, email="psychometrician@peritus.example")


@pytest.fixture
def sample_files() -> dict[str, bytes]:
    """The published 1EdTech/IMS sample items (see fixtures/qti/README.md), as package paths."""
    files = {f"items/{f.name}": f.read_bytes() for f in sorted((FIXTURES / "ims_v2").glob("*.xml"))}
    files |= {f"qti3/{f.name}": f.read_bytes() for f in sorted((FIXTURES / "qti3").glob("*.xml"))}
    files["items/images/sign.png"] = (FIXTURES / "sign.png").read_bytes()
    return files
