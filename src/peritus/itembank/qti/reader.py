"""QTI 2.1, 2.2 and 3.0 item XML → `ItemContent` (docs/adr: QTI mapping).

One reader serves every version: QTI 3.0 names (`qti-choice-interaction`, `response-identifier`)
are brought back to their 2.x camelCase form before interpretation. What the bank cannot
represent (graphic interactions, several interactions in one item, templates, adaptive items,
custom response processing, MathML…) makes the item *skipped*, with a code and a reason; what is
broken (an interaction without its declaration, a key naming no option) refuses the package.
"""

from __future__ import annotations

import dataclasses
import re
from xml.etree.ElementTree import Element

from peritus.itembank.qti.content import (
    GAP,
    ContentError,
    InteractionType,
    ItemContent,
    Option,
    Scoring,
    ScoringMethod,
    validate_content,
)
from peritus.itembank.qti.markup import Canonicaliser, MarkupError, local_name

NAMESPACES = {
    "http://www.imsglobal.org/xsd/imsqti_v2p1": "2.1",
    "http://www.imsglobal.org/xsd/imsqti_v2p2": "2.2",
    "http://www.imsglobal.org/xsd/imsqtiasi_v3p0": "3.0",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SUPPORTED = {
    "choiceInteraction",
    "orderInteraction",
    "matchInteraction",
    "inlineChoiceInteraction",
    "textEntryInteraction",
    "extendedTextInteraction",
}
INTERACTIONS = SUPPORTED | {
    "associateInteraction", "gapMatchInteraction", "hottextInteraction", "hotspotInteraction",
    "selectPointInteraction", "graphicOrderInteraction", "graphicAssociateInteraction",
    "graphicGapMatchInteraction", "positionObjectInteraction", "sliderInteraction",
    "drawingInteraction", "uploadInteraction", "customInteraction", "mediaInteraction",
    "endAttemptInteraction", "portableCustomInteraction",
}  # fmt: skip
UNSUPPORTED_ITEM_PARTS = {"templateDeclaration", "templateProcessing", "modalFeedback"}


class ItemProblem(Exception):  # noqa: N818 - a finding about one item
    def __init__(self, code: str, message: str, *, skip: bool) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.skip = skip


@dataclasses.dataclass(frozen=True)
class ParsedItem:
    identifier: str
    title: str
    language: str
    qti_version: str
    content: ItemContent
    media: tuple[str, ...]
    response_identifier: str


def qti_name(element: Element) -> str:
    """The 2.x camelCase name of a 2.x or 3.0 element (`qti-simple-choice` → `simpleChoice`)."""
    name = local_name(element.tag)
    if name.startswith("qti-"):
        head, *rest = name[4:].split("-")
        return head + "".join(part[:1].upper() + part[1:] for part in rest)
    return name


def attribute(element: Element, name: str, default: str | None = None) -> str | None:
    """A 2.x camelCase attribute, or its 3.0 kebab-case form."""
    value = element.get(name)
    if value is None:
        value = element.get(re.sub(r"(?<!^)([A-Z])", r"-\1", name).lower())
    return default if value is None else value


def children(element: Element, name: str) -> list[Element]:
    return [child for child in element if qti_name(child) == name]


def child(element: Element, name: str) -> Element | None:
    found = children(element, name)
    return found[0] if found else None


def version_of(root: Element) -> str | None:
    tag = str(root.tag)
    namespace = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
    return NAMESPACES.get(namespace)


def read_item(root: Element, *, path: str) -> ParsedItem:
    """Interpret one assessment item; raise `ItemProblem` for what cannot be taken in."""
    version = version_of(root)
    if version is None or qti_name(root) != "assessmentItem":
        raise ItemProblem(
            "unsupported_version",
            "Not a QTI 2.1, 2.2 or 3.0 assessment item (unknown root element or namespace).",
            skip=False,
        )
    identifier = (attribute(root, "identifier") or "").strip()
    if not identifier:
        raise ItemProblem("invalid_item", "The item has no identifier.", skip=False)
    title = (attribute(root, "title") or identifier).strip()[:200]
    language = (root.get(XML_LANG) or "").strip()[:10]
    if (attribute(root, "adaptive") or "false") == "true":
        raise ItemProblem("unsupported_feature", "Adaptive items cannot be represented.", skip=True)
    for part in UNSUPPORTED_ITEM_PARTS:
        if child(root, part) is not None:
            raise ItemProblem(
                "unsupported_feature", f"The item uses <{part}>, which the bank cannot represent.",
                skip=True,
            )  # fmt: skip
    body = child(root, "itemBody")
    if body is None:
        raise ItemProblem("invalid_item", "The item has no item body.", skip=False)
    interactions = [e for e in body.iter() if qti_name(e) in INTERACTIONS]
    if not interactions:
        raise ItemProblem("no_interaction", "The item has no interaction to answer.", skip=True)
    if len(interactions) > 1:
        raise ItemProblem(
            "multiple_interactions",
            f"The item has {len(interactions)} interactions; a bank item has exactly one.",
            skip=True,
        )
    interaction = interactions[0]
    kind_name = qti_name(interaction)
    if kind_name not in SUPPORTED:
        raise ItemProblem(
            "unsupported_interaction",
            f"The interaction {kind_name} cannot be represented.",
            skip=True,
        )
    response_id = attribute(interaction, "responseIdentifier") or ""
    declaration = next(
        (
            d
            for d in children(root, "responseDeclaration")
            if attribute(d, "identifier") == response_id
        ),
        None,
    )
    if declaration is None:
        raise ItemProblem(
            "invalid_item",
            f"No response declaration for the interaction's {response_id!r}.",
            skip=False,
        )
    cardinality = attribute(declaration, "cardinality") or "single"
    base_type = attribute(declaration, "baseType") or ""
    kind = _interaction_type(kind_name, cardinality, base_type, interaction)

    rubric_blocks = [e for e in body.iter() if qti_name(e) == "rubricBlock"]
    canon = Canonicaliser(
        media_base=path.rpartition("/")[0],
        replace=lambda e: (
            (GAP if kind_name in {"textEntryInteraction", "inlineChoiceInteraction"} else "")
            if e is interaction
            else ("" if qti_name(e) in {"rubricBlock", "assessmentStimulusRef"} else None)
        ),
    )
    try:
        stem = canon.flow(body)
        prompt_element = child(interaction, "prompt")
        prompt = canon.inline(prompt_element) if prompt_element is not None else ""
        rubric = "".join(canon.flow(_content_body(block)) for block in rubric_blocks)
        options = _options(interaction, kind, canon)
    except MarkupError as error:
        raise ItemProblem(
            error.code, error.message, skip=error.code == "unsupported_markup"
        ) from None

    key = tuple(_value_text(v, base_type) for v in _values(child(declaration, "correctResponse")))
    scoring = _scoring(root, declaration, kind)
    if kind is InteractionType.EXTENDED_RESPONSE:
        key = ()
    stimulus_ref = child(root, "assessmentStimulusRef")
    expected = attribute(interaction, "expectedLength")
    content = ItemContent(
        interaction=kind,
        stem=stem,
        prompt=prompt,
        options=options,
        key=key,
        scoring=scoring,
        rubric=rubric,
        shuffle=(attribute(interaction, "shuffle") or "false") == "true",
        expected_length=int(expected)
        if expected and expected.isdigit() and int(expected) > 0
        else None,
        stimulus=(attribute(stimulus_ref, "identifier") or "") if stimulus_ref is not None else "",
    )
    try:
        validate_content(content)
    except ContentError as error:
        raise ItemProblem("invalid_item", f"{error.message} ({error.code})", skip=False) from None
    return ParsedItem(
        identifier=identifier,
        title=title,
        language=language,
        qti_version=version,
        content=content,
        media=tuple(dict.fromkeys(canon.media)),
        response_identifier=response_id,
    )


def _content_body(block: Element) -> Element:
    inner = child(block, "contentBody")
    return inner if inner is not None else block


def _interaction_type(
    name: str, cardinality: str, base_type: str, element: Element
) -> InteractionType:
    if name == "choiceInteraction":
        if cardinality == "multiple":
            return InteractionType.MULTIPLE_RESPONSE
        if cardinality != "single":
            raise ItemProblem(
                "invalid_item", "A choice response is single or multiple.", skip=False
            )
        ids = sorted(attribute(c, "identifier") or "" for c in children(element, "simpleChoice"))
        return (
            InteractionType.TRUE_FALSE
            if ids == ["false", "true"]
            else InteractionType.SINGLE_CHOICE
        )
    if name == "orderInteraction":
        return InteractionType.ORDER
    if name == "matchInteraction":
        if base_type not in {"directedPair", "pair"}:
            raise ItemProblem("invalid_item", "A match response has pairs.", skip=False)
        return InteractionType.MATCH
    if name == "inlineChoiceInteraction":
        return InteractionType.INLINE_CHOICE
    if name == "textEntryInteraction":
        if base_type in {"float", "integer"}:
            return InteractionType.NUMERIC_ENTRY
        if base_type == "string":
            return InteractionType.TEXT_ENTRY
        raise ItemProblem(
            "unsupported_interaction", f"Text entry of type {base_type!r}.", skip=True
        )
    return InteractionType.EXTENDED_RESPONSE


def _options(
    interaction: Element, kind: InteractionType, canon: Canonicaliser
) -> tuple[Option, ...]:
    if kind is InteractionType.MATCH:
        sets = children(interaction, "simpleMatchSet")
        if len(sets) != 2:
            raise ItemProblem("invalid_item", "A match interaction has two sets.", skip=False)
        return tuple(
            Option(
                identifier=attribute(c, "identifier") or "", text=canon.inline(c), match_set=index
            )
            for index, match_set in enumerate(sets)
            for c in children(match_set, "simpleAssociableChoice")
        )
    if kind is InteractionType.INLINE_CHOICE:
        return tuple(
            Option(identifier=attribute(c, "identifier") or "", text=canon.inline(c))
            for c in children(interaction, "inlineChoice")
        )
    if kind in {
        InteractionType.TEXT_ENTRY,
        InteractionType.NUMERIC_ENTRY,
        InteractionType.EXTENDED_RESPONSE,
    }:
        return ()
    return tuple(
        Option(identifier=attribute(c, "identifier") or "", text=canon.inline(c))
        for c in children(interaction, "simpleChoice")
    )


def _values(container: Element | None) -> list[Element]:
    return children(container, "value") if container is not None else []


def _value_text(value: Element, base_type: str) -> str:
    text = (value.text or "").strip()
    if base_type in {"directedPair", "pair"}:
        return " ".join(text.split())
    return text


def _float(value: str | None, default: float | None = None) -> float | None:
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ItemProblem("invalid_item", f"{value!r} is not a number.", skip=False) from None


def _scoring(root: Element, declaration: Element, kind: InteractionType) -> Scoring:
    processing = child(root, "responseProcessing")
    if kind is InteractionType.EXTENDED_RESPONSE:
        return Scoring(method=ScoringMethod.RUBRIC, points=_extended_points(root))
    if processing is None:
        raise ItemProblem(
            "unsupported_response_processing", "The item has no response processing.", skip=True
        )
    template = attribute(processing, "template") or ""
    if template:
        name = template.rstrip("/").rsplit("/", 1)[-1].removesuffix(".xml")
        if name == "match_correct":
            return Scoring(method=ScoringMethod.MATCH_CORRECT, points=1.0)
        if name == "map_response":
            return _mapped(declaration)
        raise ItemProblem(
            "unsupported_response_processing",
            f"The response processing template {name!r}.",
            skip=True,
        )
    if any(qti_name(e) == "mapResponse" for e in processing.iter()):
        return _mapped(declaration)
    points = _weighted_match_correct(processing)
    if points is None:
        raise ItemProblem(
            "unsupported_response_processing",
            "Custom response processing other than the match_correct and map_response patterns.",
            skip=True,
        )
    return Scoring(method=ScoringMethod.MATCH_CORRECT, points=points)


def _mapped(declaration: Element) -> Scoring:
    mapping = child(declaration, "mapping")
    if mapping is None:
        raise ItemProblem("invalid_item", "map_response needs a mapping.", skip=False)
    base_type = attribute(declaration, "baseType") or ""
    entries = []
    for entry in children(mapping, "mapEntry"):
        key = attribute(entry, "mapKey") or ""
        key = " ".join(key.split()) if base_type in {"directedPair", "pair"} else key
        entries.append((key, _float(attribute(entry, "mappedValue"), 0.0) or 0.0))
    default = _float(attribute(mapping, "defaultValue"), 0.0) or 0.0
    return Scoring(
        method=ScoringMethod.MAP_RESPONSE,
        points=1.0,
        mapping=tuple(entries),
        default_value=default,
        lower_bound=_float(attribute(mapping, "lowerBound")),
        upper_bound=_float(attribute(mapping, "upperBound")),
    )


def _weighted_match_correct(processing: Element) -> float | None:
    """Points of the expanded match_correct pattern: if the response matches the key, SCORE = n."""
    conditions = children(processing, "responseCondition")
    if len(conditions) != 1 or len(list(processing)) != 1:
        return None
    branches = list(conditions[0])
    if not branches or qti_name(branches[0]) != "responseIf":
        return None
    test, *actions = list(branches[0])
    if qti_name(test) != "match" or len(actions) != 1:
        return None
    operands = [qti_name(e) for e in test]
    if operands != ["variable", "correct"]:
        return None
    points = _set_score(actions[0])
    if points is None or points <= 0:
        return None
    for branch in branches[1:]:
        if (
            qti_name(branch) != "responseElse"
            or len(list(branch)) != 1
            or _set_score(next(iter(branch))) != 0
        ):
            return None
    return points


def _set_score(action: Element) -> float | None:
    if qti_name(action) != "setOutcomeValue" or attribute(action, "identifier") != "SCORE":
        return None
    value = child(action, "baseValue")
    return _float(value.text if value is not None else None)


def _extended_points(root: Element) -> float:
    for declaration in children(root, "outcomeDeclaration"):
        if attribute(declaration, "identifier") == "SCORE":
            maximum = _float(attribute(declaration, "normalMaximum"))
            if maximum is not None and maximum > 0:
                return maximum
    for declaration in children(root, "outcomeDeclaration"):
        if attribute(declaration, "identifier") == "MAXSCORE":
            values = _values(child(declaration, "defaultValue"))
            if values:
                number = _float(values[0].text)
                if number is not None and number > 0:
                    return number
    return 1.0
