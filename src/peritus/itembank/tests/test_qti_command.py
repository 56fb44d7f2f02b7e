"""`peritus qti import|export` as product.md §3 describes it."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from peritus.itembank.models import Item, ItemBank, ItemVersion
from peritus.itembank.tests.factories import zip_package
from peritus.itembank.tests.test_import_hostile_packages import XXE_ITEM
from peritus.schemes.models import Scheme

pytestmark = pytest.mark.django_db


def test_import_creates_the_bank_and_writes_the_report(
    tmp_path: pathlib.Path, scheme: Scheme, sample_files: dict[str, bytes]
) -> None:
    package = tmp_path / "samples.zip"
    package.write_bytes(zip_package(sample_files))

    call_command(
        "qti", "import", str(package), "--bank", "samples", "--json", str(tmp_path / "r.json")
    )

    report = json.loads((tmp_path / "r.json").read_text())
    assert {"items_imported", "items_skipped", "errors", "items"} <= set(report)
    assert report["items_imported"] == 9
    assert set(report["items"][0]) == {"identifier", "title", "interaction_types", "response_identifiers",
                                       "correct_responses", "max_score"}  # fmt: skip
    assert ItemBank.objects.get(slug="samples").scheme == scheme


def test_a_refused_import_exits_non_zero_with_one_line_and_still_writes_the_report(
    tmp_path: pathlib.Path, scheme: Scheme
) -> None:
    package = tmp_path / "hostile.zip"
    package.write_bytes(zip_package({"items/x.xml": XXE_ITEM}))

    with pytest.raises(CommandError) as error:
        call_command(
            "qti", "import", str(package), "--bank", "hostile", "--json", str(tmp_path / "r.json")
        )

    assert "\n" not in str(error.value)
    assert "xml_forbidden" in str(error.value)
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["items_imported"] == 0
    assert report["errors"][0]["code"] == "xml_forbidden"
    assert Item.objects.count() == 0


def test_a_dry_run_imports_nothing(
    tmp_path: pathlib.Path, scheme: Scheme, sample_files: dict[str, bytes]
) -> None:
    package = tmp_path / "samples.zip"
    package.write_bytes(zip_package(sample_files))

    call_command("qti", "import", str(package), "--bank", "dry", "--dry-run")

    assert not ItemBank.objects.filter(slug="dry").exists()


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_export_writes_a_package_that_imports_back(
    tmp_path: pathlib.Path,
    scheme: Scheme,
    sample_files: dict[str, bytes],
    version: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    package = tmp_path / "samples.zip"
    package.write_bytes(zip_package(sample_files))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("qti", "import", str(package), "--bank", "source")

    call_command(
        "qti",
        "export",
        "--bank",
        "source",
        "--version",
        version,
        "--out",
        str(tmp_path / "out.zip"),
    )
    call_command("qti", "import", str(tmp_path / "out.zip"), "--bank", "copy", "--scheme", scheme.slug,
                 "--json", str(tmp_path / "again.json"))  # fmt: skip

    source = {
        v.item.identifier: v.content for v in ItemVersion.objects.filter(item__bank__slug="source")
    }
    copy = {
        v.item.identifier: v.content for v in ItemVersion.objects.filter(item__bank__slug="copy")
    }
    assert copy == source
