"""Export then import gives back the same items (identifiers, interactions, keys, scoring, text)."""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peritus.itembank.qti.content import (
    GAP,
    InteractionType,
    ItemContent,
    Option,
    Scoring,
    ScoringMethod,
    validate_content,
)
from peritus.itembank.qti.importer import plan_import
from peritus.itembank.qti.writer import ExportItem, ItemMetadata, build_package
from peritus.itembank.qti.xsd import validation_errors

ALPHABET = st.characters(
    codec="utf-8",
    categories=("L", "N", "P", "Zs", "S"),
    exclude_characters="\u2028\u2029\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000",
)
TEXT = st.text(ALPHABET, min_size=1, max_size=40).map(str.strip).filter(bool)
PLAIN = (
    st.text(st.sampled_from("abcdefghij KLMNOP&<>'\"?"), min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)
IDS = ["A", "B", "C", "D", "E", "F", "opt_1", "opt-2"]
POINTS = st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0, 5.0])


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def contents(draw: st.DrawFn) -> ItemContent:
    kind = draw(st.sampled_from(list(InteractionType)))
    paragraphs = [_escape(t) for t in draw(st.lists(TEXT, min_size=1, max_size=3))]
    if kind in {
        InteractionType.TEXT_ENTRY,
        InteractionType.INLINE_CHOICE,
        InteractionType.NUMERIC_ENTRY,
    }:
        paragraphs[0] = f"{paragraphs[0]} {GAP} {_escape(draw(TEXT))}"
    stem = "".join(f"<p>{p}</p>" for p in paragraphs)
    prompt = (
        _escape(draw(TEXT))
        if kind
        not in {
            InteractionType.TEXT_ENTRY,
            InteractionType.INLINE_CHOICE,
            InteractionType.NUMERIC_ENTRY,
        }
        and draw(st.booleans())
        else ""
    )
    options: tuple[Option, ...] = ()
    key: tuple[str, ...] = ()
    rubric = ""

    def option_texts(n: int, inline_only: bool = False) -> list[str]:
        source = PLAIN if inline_only else TEXT
        return [_escape(draw(source)) for _ in range(n)]

    if kind is InteractionType.TRUE_FALSE:
        options = (Option("true", "True"), Option("false", "False"))
        key = (draw(st.sampled_from(["true", "false"])),)
    elif kind in {
        InteractionType.SINGLE_CHOICE,
        InteractionType.MULTIPLE_RESPONSE,
        InteractionType.INLINE_CHOICE,
        InteractionType.ORDER,
    }:
        ids = draw(st.lists(st.sampled_from(IDS), min_size=2, max_size=5, unique=True))
        if kind is InteractionType.SINGLE_CHOICE and sorted(ids) == ["false", "true"]:
            ids.append("Z")
        texts = option_texts(len(ids), inline_only=kind is InteractionType.INLINE_CHOICE)
        rationales = [draw(st.one_of(st.just(""), PLAIN)) for _ in ids]
        options = tuple(
            Option(i, t, rationale=r) for i, t, r in zip(ids, texts, rationales, strict=True)
        )
        if kind is InteractionType.MULTIPLE_RESPONSE:
            key = tuple(
                draw(st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids), unique=True))
            )
        elif kind is InteractionType.ORDER:
            key = tuple(draw(st.permutations(ids)))
        else:
            key = (draw(st.sampled_from(ids)),)
    elif kind is InteractionType.MATCH:
        left = draw(
            st.lists(st.sampled_from(["L1", "L2", "L3", "L4"]), min_size=1, max_size=4, unique=True)
        )
        right = draw(
            st.lists(st.sampled_from(["R1", "R2", "R3"]), min_size=1, max_size=3, unique=True)
        )
        options = tuple(Option(i, _escape(draw(TEXT)), match_set=0) for i in left) + tuple(
            Option(i, _escape(draw(TEXT)), match_set=1) for i in right
        )
        pairs = [f"{a} {b}" for a in left for b in right]
        key = tuple(
            draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=len(pairs), unique=True))
        )
    elif kind is InteractionType.TEXT_ENTRY:
        key = (draw(PLAIN),)
    elif kind is InteractionType.NUMERIC_ENTRY:
        key = (str(draw(st.integers(-1000, 1000)) / 4),)
    else:
        rubric = "".join(
            f"<p>{_escape(t)}</p>" for t in draw(st.lists(TEXT, min_size=0, max_size=2))
        )

    if kind is InteractionType.EXTENDED_RESPONSE:
        scoring = Scoring(method=ScoringMethod.RUBRIC, points=draw(POINTS))
    elif draw(st.booleans()) and key:
        values = draw(
            st.lists(st.sampled_from([0.5, 1.0, 2.0]), min_size=len(key), max_size=len(key))
        )
        scoring = Scoring(
            method=ScoringMethod.MAP_RESPONSE,
            mapping=tuple(zip(key, values, strict=True)),
            default_value=draw(st.sampled_from([0.0, -1.0])),
            lower_bound=draw(st.sampled_from([None, 0.0])),
            upper_bound=draw(st.sampled_from([None, 10.0])),
        )
    else:
        scoring = Scoring(points=draw(POINTS))
    expected = (
        draw(st.sampled_from([None, 20]))
        if kind
        in {
            InteractionType.TEXT_ENTRY,
            InteractionType.NUMERIC_ENTRY,
            InteractionType.EXTENDED_RESPONSE,
        }
        else None
    )
    content = ItemContent(
        interaction=kind, stem=stem, prompt=prompt, options=options, key=key, scoring=scoring,
        rubric=rubric, shuffle=draw(st.booleans()) if options else False, expected_length=expected,
    )  # fmt: skip
    return validate_content(content)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=contents(), version=st.sampled_from(["2.1", "3.0"]), title=TEXT)
def test_export_then_import_gives_back_the_same_item(
    content: ItemContent, version: str, title: str
) -> None:
    item = ExportItem(identifier="ITEM-1", title=title, language="en", content=content,
                      metadata=ItemMetadata(domain="D1", cognitive_level="apply", tags=("iam",)))  # fmt: skip

    plan = plan_import(build_package([item], version=version))

    assert plan.problems == []
    [planned] = plan.items
    assert planned.parsed.identifier == "ITEM-1"
    assert planned.parsed.title == title
    assert planned.parsed.content == content
    assert planned.metadata == item.metadata


@settings(max_examples=40, deadline=None)
@given(contents=st.lists(contents(), min_size=1, max_size=5))
def test_every_exported_qti_21_manifest_is_valid_against_the_official_packaging_schema(
    contents: list[ItemContent],
) -> None:
    items = [ExportItem(f"I{n}", f"Item {n}", "en", c) for n, c in enumerate(contents)]

    package = build_package(items, version="2.1")

    manifest = zipfile.ZipFile(io.BytesIO(package)).read("imsmanifest.xml")
    assert validation_errors(manifest) == []


def test_the_packaging_schema_really_rejects_a_broken_manifest() -> None:
    no_organizations = (
        b'<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="X">'
        b"<resources/></manifest>"
    )
    untyped_resource = (
        b'<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="X">'
        b'<organizations/><resources><resource identifier="R"/></resources></manifest>'
    )

    assert any("organizations" in e for e in validation_errors(no_organizations))
    assert any("'type' is required" in e for e in validation_errors(untyped_resource))
