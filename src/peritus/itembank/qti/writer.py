"""`ItemContent` → QTI 2.1 or 3.0 item XML, and the IMS content package around the items.

Scoring is written with the standard templates whenever they say exactly what the item means
(match_correct for one point, map_response for partial credit); an all-or-nothing item worth
other than one point gets the expanded match_correct pattern with its weight, which the reader
recognises. Peritus metadata the QTI item has no place for (domain, cognitive level, tags,
enemies, per-option rationales, references) travels in the manifest resource's <metadata>, in
our own namespace, which the content-packaging schema admits (`##other`, lax).
"""

from __future__ import annotations

import dataclasses
import html
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable

from peritus.itembank.qti.content import (
    GAP,
    InteractionType,
    ItemContent,
    ScoringMethod,
    max_score_of,
)

PERITUS_NS = "urn:peritus:itembank:1"
QTI21_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI30_NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
CP_NS = {"2.1": "http://www.imsglobal.org/xsd/imscp_v1p1",
         "3.0": "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"}  # fmt: skip
CP_SCHEMA = {
    "2.1": "http://www.imsglobal.org/xsd/imscp_v1p1.xsd",
    "3.0": "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqtiv3p0_imscpv1p2_v1p0.xsd",
}
ITEM_SCHEMA = {
    "2.1": f"{QTI21_NS} http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1p1.xsd",
    "3.0": f"{QTI30_NS} https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0p1_v1p0.xsd",
}
TEMPLATES = {
    "2.1": "http://www.imsglobal.org/question/qti_v2p1/rptemplates/",
    "3.0": "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/",
}
VERSIONS = ("2.1", "3.0")
RESPONSE = "RESPONSE"
_SRC = re.compile(r'<img src="([^"]*)"')


@dataclasses.dataclass(frozen=True)
class ItemMetadata:
    """What the bank knows about an item beyond its QTI content."""

    domain: str = ""
    task: str = ""
    cognitive_level: str = ""
    tags: tuple[str, ...] = ()
    enemies: tuple[str, ...] = ()
    references: str = ""


@dataclasses.dataclass(frozen=True)
class ExportItem:
    identifier: str
    title: str
    language: str
    content: ItemContent
    metadata: ItemMetadata = dataclasses.field(default_factory=ItemMetadata)


@dataclasses.dataclass(frozen=True)
class ExportStimulus:
    identifier: str
    title: str
    body: str  # canonical flow fragment


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"-\1", name).lower()


class _Names:
    """Element and attribute names of one QTI version."""

    def __init__(self, version: str) -> None:
        self.v3 = version == "3.0"

    def el(self, name: str) -> str:
        return f"qti-{_kebab(name)}" if self.v3 else name

    def at(self, name: str) -> str:
        return _kebab(name) if self.v3 else name

    def tag(self, name: str, attributes: dict[str, str | None], inner: str | None = None) -> str:
        attrs = "".join(
            f' {self.at(k)}="{_attr(v)}"' for k, v in attributes.items() if v is not None
        )
        element = self.el(name)
        if inner is None:
            return f"<{element}{attrs}/>"
        return f"<{element}{attrs}>{inner}</{element}>"


def _relative_media(fragment: str, folder: str) -> str:
    def relative(match: re.Match[str]) -> str:
        path = html.unescape(match.group(1))
        return f'<img src="{_attr(posixpath.relpath(path, folder))}"'

    return _SRC.sub(relative, fragment)


def item_path(identifier: str) -> str:
    return f"items/{identifier}.xml"


def stimulus_path(identifier: str) -> str:
    return f"stimuli/{identifier}.xml"


def _declaration_types(kind: InteractionType) -> tuple[str, str]:
    return {
        InteractionType.SINGLE_CHOICE: ("single", "identifier"),
        InteractionType.TRUE_FALSE: ("single", "identifier"),
        InteractionType.INLINE_CHOICE: ("single", "identifier"),
        InteractionType.MULTIPLE_RESPONSE: ("multiple", "identifier"),
        InteractionType.ORDER: ("ordered", "identifier"),
        InteractionType.MATCH: ("multiple", "directedPair"),
        InteractionType.TEXT_ENTRY: ("single", "string"),
        InteractionType.NUMERIC_ENTRY: ("single", "float"),
        InteractionType.EXTENDED_RESPONSE: ("single", "string"),
    }[kind]


def item_xml(item: ExportItem, *, version: str, stimulus: ExportStimulus | None = None) -> str:
    """One assessment item document in QTI `version` ("2.1" or "3.0")."""
    if version not in VERSIONS:
        raise ValueError(f"QTI version {version!r} is not written; choose 2.1 or 3.0.")
    n = _Names(version)
    content = item.content
    folder = "items"
    kind = content.interaction
    cardinality, base_type = _declaration_types(kind)
    scoring = content.scoring

    declaration_inner = ""
    if content.key:
        values = "".join(n.tag("value", {}, html.escape(v, quote=False)) for v in content.key)
        declaration_inner += n.tag("correctResponse", {}, values)
    if scoring.method is ScoringMethod.MAP_RESPONSE:
        entries = "".join(
            n.tag("mapEntry", {"mapKey": k, "mappedValue": _num(v)}) for k, v in scoring.mapping
        )
        declaration_inner += n.tag(
            "mapping",
            {
                "lowerBound": _num(scoring.lower_bound)
                if scoring.lower_bound is not None
                else None,
                "upperBound": _num(scoring.upper_bound)
                if scoring.upper_bound is not None
                else None,
                "defaultValue": _num(scoring.default_value),
            },
            entries,
        )
    parts = [
        n.tag(
            "responseDeclaration",
            {"identifier": RESPONSE, "cardinality": cardinality, "baseType": base_type},
            declaration_inner or None,
        )
    ]
    maximum = max_score_of(content)
    score_attributes: dict[str, str | None] = {
        "identifier": "SCORE", "cardinality": "single", "baseType": "float",
    }  # fmt: skip
    if kind is InteractionType.EXTENDED_RESPONSE:
        if n.v3:
            score_attributes["externalScored"] = "human"
        score_attributes["normalMaximum"] = _num(maximum)
    parts.append(
        n.tag("outcomeDeclaration", score_attributes,
              n.tag("defaultValue", {}, n.tag("value", {}, "0")))
    )  # fmt: skip
    parts.append(
        n.tag(
            "outcomeDeclaration",
            {"identifier": "MAXSCORE", "cardinality": "single", "baseType": "float"},
            n.tag("defaultValue", {}, n.tag("value", {}, _num(maximum))),
        )
    )
    stem = _relative_media(content.stem, folder)
    if content.stimulus and stimulus is not None:
        if n.v3:
            parts.append(
                n.tag(
                    "assessmentStimulusRef",
                    {"identifier": stimulus.identifier,
                     "href": posixpath.relpath(stimulus_path(stimulus.identifier), folder),
                     "title": stimulus.title or None},
                )
            )  # fmt: skip
        else:
            # QTI 2.1 has no shared stimulus: the text travels inside each item.
            stem = f"<div>{_relative_media(stimulus.body, folder)}</div>{stem}"
    interaction = _interaction(content, n, folder)
    if kind in {
        InteractionType.TEXT_ENTRY,
        InteractionType.INLINE_CHOICE,
        InteractionType.NUMERIC_ENTRY,
    }:
        body = stem.replace(GAP, interaction)
    else:
        body = stem + interaction
    if content.rubric:
        rubric = _relative_media(content.rubric, folder)
        if n.v3:
            rubric = n.tag("contentBody", {}, rubric)
        body = (
            n.tag("rubricBlock", {"view": "scorer", "use": "scoring" if n.v3 else None}, rubric)
            + body
        )
    parts.append(n.tag("itemBody", {}, body))
    processing = _processing(content, n, version)
    if processing:
        parts.append(processing)
    root = n.el("assessmentItem")
    lang = f' xml:lang="{_attr(item.language)}"' if item.language else ""
    adaptive = "" if n.v3 else ' adaptive="false"'
    time_dependent = n.at("timeDependent")
    namespace = QTI30_NS if n.v3 else QTI21_NS
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{root} xmlns="{namespace}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{ITEM_SCHEMA[version]}" identifier="{_attr(item.identifier)}" '
        f'title="{_attr(item.title)}"{adaptive} {time_dependent}="false"{lang}>'
        + "".join(parts)
        + f"</{root}>\n"
    )


def _interaction(content: ItemContent, n: _Names, folder: str) -> str:
    kind = content.interaction
    prompt = n.tag("prompt", {}, _relative_media(content.prompt, folder)) if content.prompt else ""
    shuffle = "true" if content.shuffle else "false"

    def choices(name: str, match_set: int | None = None) -> str:
        return "".join(
            n.tag(name, {"identifier": o.identifier}, _relative_media(o.text, folder))
            for o in content.options
            if match_set is None or o.match_set == match_set
        )

    common = {"responseIdentifier": RESPONSE}
    if kind in {
        InteractionType.SINGLE_CHOICE,
        InteractionType.TRUE_FALSE,
        InteractionType.MULTIPLE_RESPONSE,
    }:
        max_choices = "0" if kind is InteractionType.MULTIPLE_RESPONSE else "1"
        return n.tag(
            "choiceInteraction", {**common, "shuffle": shuffle, "maxChoices": max_choices},
            prompt + choices("simpleChoice"),
        )  # fmt: skip
    if kind is InteractionType.ORDER:
        return n.tag(
            "orderInteraction", {**common, "shuffle": shuffle}, prompt + choices("simpleChoice")
        )
    if kind is InteractionType.MATCH:
        sets = "".join(
            n.tag(
                "simpleMatchSet", {},
                "".join(
                    n.tag("simpleAssociableChoice", {"identifier": o.identifier, "matchMax": "0"},
                          _relative_media(o.text, folder))
                    for o in content.options if o.match_set == index
                ),
            )
            for index in (0, 1)
        )  # fmt: skip
        return n.tag(
            "matchInteraction",
            {**common, "shuffle": shuffle, "maxAssociations": "0"},
            prompt + sets,
        )
    if kind is InteractionType.INLINE_CHOICE:
        return n.tag(
            "inlineChoiceInteraction", {**common, "shuffle": shuffle}, choices("inlineChoice")
        )
    expected = str(content.expected_length) if content.expected_length else None
    if kind in {InteractionType.TEXT_ENTRY, InteractionType.NUMERIC_ENTRY}:
        return n.tag("textEntryInteraction", {**common, "expectedLength": expected})
    return n.tag("extendedTextInteraction", {**common, "expectedLength": expected}, prompt or None)


def _processing(content: ItemContent, n: _Names, version: str) -> str:
    scoring = content.scoring
    if scoring.method is ScoringMethod.RUBRIC:
        return ""
    if scoring.method is ScoringMethod.MAP_RESPONSE:
        return n.tag("responseProcessing", {"template": TEMPLATES[version] + "map_response"})
    if scoring.points == 1:
        return n.tag("responseProcessing", {"template": TEMPLATES[version] + "match_correct"})
    match = n.tag(
        "match",
        {},
        n.tag("variable", {"identifier": RESPONSE}) + n.tag("correct", {"identifier": RESPONSE}),
    )

    def set_score(value: float) -> str:
        return n.tag(
            "setOutcomeValue", {"identifier": "SCORE"},
            n.tag("baseValue", {"baseType": "float"}, _num(value)),
        )  # fmt: skip

    condition = n.tag(
        "responseCondition", {},
        n.tag("responseIf", {}, match + set_score(scoring.points))
        + n.tag("responseElse", {}, set_score(0)),
    )  # fmt: skip
    return n.tag("responseProcessing", {}, condition)


def stimulus_xml(stimulus: ExportStimulus, *, version: str) -> str:
    n = _Names(version)
    root = n.el("assessmentStimulus")
    body = n.tag("stimulusBody", {}, _relative_media(stimulus.body, "stimuli"))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{root} xmlns="{QTI30_NS}" identifier="{_attr(stimulus.identifier)}" '
        f'title="{_attr(stimulus.title)}">{body}</{root}>\n'
    )


def _metadata_xml(item: ExportItem) -> str:
    meta = item.metadata
    parts = []
    for name, value in (("domain", meta.domain), ("task", meta.task),
                        ("cognitiveLevel", meta.cognitive_level), ("references", meta.references)):  # fmt: skip
        if value:
            parts.append(f"<p:{name}>{html.escape(value, quote=False)}</p:{name}>")
    parts.extend(f"<p:tag>{html.escape(tag, quote=False)}</p:tag>" for tag in meta.tags)
    parts.extend(f"<p:enemy>{html.escape(enemy, quote=False)}</p:enemy>" for enemy in meta.enemies)
    for option in item.content.options:
        if option.rationale:
            parts.append(
                f'<p:rationale option="{_attr(option.identifier)}">'
                f"{html.escape(option.rationale, quote=False)}</p:rationale>"
            )
    return f'<metadata><p:item xmlns:p="{PERITUS_NS}">{"".join(parts)}</p:item></metadata>'


def manifest_xml(
    items: Iterable[ExportItem],
    *,
    version: str,
    stimuli: Iterable[ExportStimulus] = (),
    media: Iterable[str] = (),
    identifier: str = "PERITUS-EXPORT",
) -> str:
    item_type = "imsqti_item_xmlv2p1" if version == "2.1" else "imsqti_item_xmlv3p0"
    media_ids = {path: f"MEDIA-{index}" for index, path in enumerate(sorted(set(media)), start=1)}
    stimulus_list = list(stimuli) if version == "3.0" else []
    resources = []
    for item in items:
        path = item_path(item.identifier)
        dependencies = [
            f'<dependency identifierref="{media_ids[src]}"/>'
            for src in sorted(set(_media_of(item.content)))
            if src in media_ids
        ]
        if version == "3.0" and item.content.stimulus:
            dependencies.append(
                f'<dependency identifierref="STIMULUS-{_attr(item.content.stimulus)}"/>'
            )
        resources.append(
            f'<resource identifier="ITEM-{_attr(item.identifier)}" type="{item_type}" href="{_attr(path)}">'
            f'{_metadata_xml(item)}<file href="{_attr(path)}"/>{"".join(dependencies)}</resource>'
        )
    for stimulus in stimulus_list:
        path = stimulus_path(stimulus.identifier)
        resources.append(
            f'<resource identifier="STIMULUS-{_attr(stimulus.identifier)}" type="imsqti_stimulus_xmlv3p0" '
            f'href="{_attr(path)}"><file href="{_attr(path)}"/></resource>'
        )
    for path, media_id in media_ids.items():
        resources.append(
            f'<resource identifier="{media_id}" type="webcontent" href="{_attr(path)}">'
            f'<file href="{_attr(path)}"/></resource>'
        )
    schema = "QTIv2.1 Package" if version == "2.1" else "QTI Package"
    schema_version = "1.0.0" if version == "2.1" else "3.0.0"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<manifest xmlns="{CP_NS[version]}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{CP_NS[version]} {CP_SCHEMA[version]}" identifier="{_attr(identifier)}">'
        f"<metadata><schema>{schema}</schema><schemaversion>{schema_version}</schemaversion></metadata>"
        f"<organizations/><resources>{''.join(resources)}</resources></manifest>\n"
    )


def _media_of(content: ItemContent) -> list[str]:
    found: list[str] = []
    for fragment in (
        content.stem,
        content.prompt,
        content.rubric,
        *(o.text for o in content.options),
    ):
        found.extend(html.unescape(m) for m in _SRC.findall(fragment))
    return found


def build_package(
    items: list[ExportItem],
    *,
    version: str,
    stimuli: list[ExportStimulus] | None = None,
    media: dict[str, bytes] | None = None,
) -> bytes:
    """A complete QTI content package (zip bytes)."""
    stimuli = stimuli or []
    media = media or {}
    by_id = {s.identifier: s for s in stimuli}
    needed_media = {src for item in items for src in _media_of(item.content)}
    if version == "3.0":
        for stimulus in stimuli:
            needed_media.update(html.unescape(m) for m in _SRC.findall(stimulus.body))
    else:
        for item in items:
            if item.content.stimulus in by_id:
                needed_media.update(
                    html.unescape(m) for m in _SRC.findall(by_id[item.content.stimulus].body)
                )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "imsmanifest.xml",
            manifest_xml(items, version=version, stimuli=stimuli, media=needed_media & set(media)),
        )
        for item in items:
            archive.writestr(
                item_path(item.identifier),
                item_xml(item, version=version, stimulus=by_id.get(item.content.stimulus)),
            )
        if version == "3.0":
            for stimulus in stimuli:
                archive.writestr(
                    stimulus_path(stimulus.identifier), stimulus_xml(stimulus, version=version)
                )
        for path in sorted(needed_media & set(media)):
            archive.writestr(path, media[path])
    return buffer.getvalue()
