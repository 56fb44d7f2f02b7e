"""Reading a whole QTI package into an import plan (pure: no database).

The plan lists the items, stimuli and media the package brings, and every problem found. The
service applies the plan in one transaction, only when no problem refuses the package.
"""

from __future__ import annotations

import dataclasses
import posixpath
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree.ElementTree import Element

from peritus.itembank.qti.markup import Canonicaliser, MarkupError, local_name
from peritus.itembank.qti.package import (
    Limits,
    Package,
    PackageRefused,
    Problem,
    read_manifest,
)
from peritus.itembank.qti.reader import (
    ItemProblem,
    ParsedItem,
    attribute,
    child,
    qti_name,
    read_item,
    version_of,
)
from peritus.itembank.qti.writer import PERITUS_NS, ItemMetadata


@dataclasses.dataclass(frozen=True)
class ParsedStimulus:
    identifier: str
    title: str
    body: str
    media: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class PlannedItem:
    parsed: ParsedItem
    metadata: ItemMetadata
    file: str


@dataclasses.dataclass
class ImportPlan:
    items: list[PlannedItem] = dataclasses.field(default_factory=list)
    stimuli: list[ParsedStimulus] = dataclasses.field(default_factory=list)
    media: dict[str, bytes] = dataclasses.field(default_factory=dict)
    problems: list[Problem] = dataclasses.field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(not problem.skip for problem in self.problems)

    @property
    def skipped(self) -> int:
        return sum(1 for problem in self.problems if problem.skip)


def item_summary(parsed: ParsedItem) -> dict[str, Any]:
    """One entry of the import report's `items` (product.md §3)."""
    content = parsed.content
    return {
        "identifier": parsed.identifier,
        "title": parsed.title,
        "interaction_types": [content.qti_interaction],
        "response_identifiers": [parsed.response_identifier],
        "correct_responses": {parsed.response_identifier: list(content.key)},
        "max_score": content.max_score,
    }


def _metadata(
    resource_metadata: Element | None, parsed: ParsedItem
) -> tuple[ItemMetadata, ParsedItem]:
    if resource_metadata is None:
        return ItemMetadata(), parsed
    element = next((e for e in resource_metadata.iter() if e.tag == f"{{{PERITUS_NS}}}item"), None)
    if element is None:
        return ItemMetadata(), parsed

    def texts(name: str) -> list[str]:
        return [(e.text or "").strip() for e in element if e.tag == f"{{{PERITUS_NS}}}{name}"]

    def first(name: str) -> str:
        found = texts(name)
        return found[0] if found else ""

    rationales = {
        e.get("option", ""): (e.text or "").strip()
        for e in element
        if e.tag == f"{{{PERITUS_NS}}}rationale"
    }
    content = parsed.content
    if rationales:
        options = tuple(
            dataclasses.replace(o, rationale=rationales.get(o.identifier, o.rationale))
            for o in content.options
        )
        parsed = dataclasses.replace(parsed, content=dataclasses.replace(content, options=options))
    metadata = ItemMetadata(
        domain=first("domain")[:32],
        task=first("task")[:32],
        cognitive_level=first("cognitiveLevel")[:32],
        tags=tuple(t[:50] for t in texts("tag") if t),
        enemies=tuple(e for e in texts("enemy") if e),
        references=first("references"),
    )
    return metadata, parsed


def _read_stimulus(root: Element, *, path: str) -> ParsedStimulus:
    if version_of(root) is None or qti_name(root) != "assessmentStimulus":
        raise ItemProblem("unsupported_version", "Not a QTI assessment stimulus.", skip=False)
    identifier = (attribute(root, "identifier") or "").strip()
    if not identifier:
        raise ItemProblem("invalid_item", "The stimulus has no identifier.", skip=False)
    body = child(root, "stimulusBody")
    if body is None:
        raise ItemProblem("invalid_item", "The stimulus has no body.", skip=False)
    canon = Canonicaliser(media_base=path.rpartition("/")[0])
    try:
        text = canon.flow(body)
    except MarkupError as error:
        raise ItemProblem(error.code, error.message, skip=False) from None
    title = (attribute(root, "title") or identifier).strip()[:200]
    return ParsedStimulus(identifier, title, text, tuple(dict.fromkeys(canon.media)))


def plan_import(
    source: bytes | str | Path | BinaryIO,
    *,
    limits: Limits | None = None,
    known_media: frozenset[str] = frozenset(),
    known_stimuli: frozenset[str] = frozenset(),
) -> ImportPlan:
    """Read and check a package; never raises for a bad package (the plan says why)."""
    plan = ImportPlan()
    try:
        with Package(source, limits=limits) as package:
            _fill(plan, package, known_media=known_media, known_stimuli=known_stimuli)
    except PackageRefused as refusal:
        plan.problems.append(refusal.problem)
    return plan


def _fill(
    plan: ImportPlan,
    package: Package,
    *,
    known_media: frozenset[str],
    known_stimuli: frozenset[str],
) -> None:
    resources = read_manifest(package)
    seen_items: dict[str, str] = {}
    wanted_media: dict[str, str] = {}
    for resource in resources:
        if not (resource.is_item or resource.is_stimulus):
            continue
        path = resource.href
        package.check_time(path)
        if not path or not package.exists(path):
            plan.problems.append(
                Problem(path or resource.identifier, "file_missing",
                        f"The resource {resource.identifier!r} points to a file the package lacks.")
            )  # fmt: skip
            continue
        try:
            root = package.parse(path)
            if resource.is_stimulus:
                stimulus = _read_stimulus(root, path=path)
                plan.stimuli.append(stimulus)
                wanted_media.update(dict.fromkeys(stimulus.media, path))
                continue
            parsed = read_item(root, path=path)
        except ItemProblem as problem:
            plan.problems.append(Problem(path, problem.code, problem.message, skip=problem.skip))
            continue
        if parsed.identifier in seen_items:
            plan.problems.append(
                Problem(path, "duplicate_identifier",
                        f"The identifier {parsed.identifier!r} is also used by {seen_items[parsed.identifier]}.")
            )  # fmt: skip
            continue
        seen_items[parsed.identifier] = path
        metadata, parsed = _metadata(resource.metadata, parsed)
        plan.items.append(PlannedItem(parsed=parsed, metadata=metadata, file=path))
        wanted_media.update(dict.fromkeys(parsed.media, path))
    stimulus_ids = {s.identifier for s in plan.stimuli} | set(known_stimuli)
    for planned in plan.items:
        reference = planned.parsed.content.stimulus
        if reference and reference not in stimulus_ids:
            plan.problems.append(
                Problem(planned.file, "file_missing",
                        f"The item refers to the stimulus {reference!r}, which is neither in the package nor the bank.")
            )  # fmt: skip
    for media_path, referrer in sorted(wanted_media.items()):
        if package.exists(media_path):
            plan.media[media_path] = package.read(media_path)
        elif media_path not in known_media:
            plan.problems.append(
                Problem(
                    referrer,
                    "file_missing",
                    f"The media file {media_path!r} is not in the package.",
                )
            )
    if not plan.items and not plan.problems:
        plan.problems.append(
            Problem("imsmanifest.xml", "no_items", "The package holds no QTI items.")
        )


def media_type(path: str) -> str:
    extension = posixpath.splitext(path)[1].lower()
    return {
        ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
        ".svg": "image/svg+xml", ".webp": "image/webp",
    }.get(extension, "application/octet-stream")  # fmt: skip


def root_name(element: Element) -> str:
    return local_name(element.tag)
