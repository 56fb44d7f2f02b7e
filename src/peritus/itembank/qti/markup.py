"""The safe XHTML subset item text is kept in, and its canonical form.

Stems, prompts, option texts, rubrics and stimuli are stored as canonical fragments: only the
elements and attributes below, serialised the same way every time, so that an export followed by
an import gives back the very same string. Anything outside the subset (MathML, objects,
feedback, templates…) is refused with `unsupported_markup` rather than silently dropped.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable, Iterator
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET

BLOCK = frozenset(
    {"p", "div", "blockquote", "ul", "ol", "li", "table", "caption", "thead", "tbody", "tfoot",
     "tr", "th", "td", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "dl", "dt", "dd", "hr"}
)  # fmt: skip
INLINE = frozenset(
    {"br", "em", "strong", "b", "i", "u", "sub", "sup", "code", "span", "img", "abbr", "q",
     "small", "cite", "dfn", "kbd", "samp", "var", "gap"}
)  # fmt: skip
TOP_LEVEL_BLOCK = frozenset(
    {"p", "div", "blockquote", "ul", "ol", "table", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
     "dl", "hr"}
)  # fmt: skip
VOID = frozenset({"br", "img", "gap", "hr"})
ATTRIBUTES = {
    "img": ("src", "alt", "width", "height"),
    "th": ("scope", "colspan", "rowspan"),
    "td": ("colspan", "rowspan"),
    "ol": ("start",),
}
_NUMBER = re.compile(r"^[0-9]{1,5}$")
GAP_TOKEN = "[[gap]]"  # noqa: S105 - what authors type where an inline answer goes, not a secret
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class MarkupError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def local_name(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(value: str) -> str:
    return _escape_text(value).replace('"', "&quot;")


def normalise_media_path(src: str, *, base: str = "") -> str:
    """The package path an `img src` points to, relative to `base` (the item file's folder).

    Refuses absolute paths, URLs (`http:`, `data:`…) and paths that leave the package.
    """
    src = src.strip()
    if not src or _SCHEME.match(src) or src.startswith(("/", "\\")) or "\\" in src:
        raise MarkupError(
            "unsafe_path", f"Media reference {src!r} is not a path inside the package."
        )
    joined = posixpath.normpath(posixpath.join(base, src)) if base else posixpath.normpath(src)
    if joined.startswith(("../", "/")) or joined == "..":
        raise MarkupError("unsafe_path", f"Media reference {src!r} leaves the package.")
    return joined


class Canonicaliser:
    """Turns parsed (possibly QTI-namespaced) elements into canonical fragments."""

    def __init__(
        self,
        *,
        media_base: str = "",
        replace: Callable[[Element], str | None] | None = None,
    ) -> None:
        self.media_base = media_base
        self.replace = replace  # returns a canonical string to put in place of an element, or None
        self.media: list[str] = []

    def flow(self, parent: Element, *, skip: Callable[[Element], bool] | None = None) -> str:
        """Block content: top-level text and inline runs are wrapped in paragraphs."""
        parts: list[str] = []
        run: list[str] = []

        def flush() -> None:
            joined = "".join(run)
            if joined.strip():
                parts.append(f"<p>{joined.strip()}</p>")
            run.clear()

        if parent.text:
            run.append(_escape_text(parent.text))
        for child in parent:
            if skip is not None and skip(child):
                if child.tail:
                    run.append(_escape_text(child.tail))
                continue
            name = local_name(child.tag)
            replaced = self.replace(child) if self.replace else None
            if replaced is not None:
                run.append(replaced)
            elif name in TOP_LEVEL_BLOCK:
                flush()
                parts.append(self.element(child))
            else:
                run.append(self.element(child))
            if child.tail:
                run.append(_escape_text(child.tail))
        flush()
        return "".join(parts)

    def inline(self, parent: Element) -> str:
        """Inline content; paragraphs are unwrapped and joined by line breaks."""
        pieces: list[str] = []
        if parent.text:
            pieces.append(_escape_text(parent.text))
        paragraphs = 0
        for child in parent:
            name = local_name(child.tag)
            if name == "p":
                if paragraphs:
                    pieces.append("<br/>")
                pieces.append(self.inline(child))
                paragraphs += 1
            else:
                replaced = self.replace(child) if self.replace else None
                pieces.append(replaced if replaced is not None else self.element(child))
            if child.tail:
                pieces.append(_escape_text(child.tail))
        return "".join(pieces).strip()

    def element(self, element: Element) -> str:
        name = local_name(element.tag)
        if name not in BLOCK and name not in INLINE:
            raise MarkupError("unsupported_markup", f"The element <{name}> cannot be represented.")
        attributes = []
        for attribute in ATTRIBUTES.get(name, ()):
            value = element.get(attribute)
            if value is None:
                continue
            if attribute == "src":
                value = normalise_media_path(value, base=self.media_base)
                self.media.append(value)
            elif attribute in {
                "width",
                "height",
                "colspan",
                "rowspan",
                "start",
            } and not _NUMBER.match(value):
                continue
            attributes.append(f' {attribute}="{_escape_attribute(value)}"')
        attrs = "".join(attributes)
        if name in VOID:
            return f"<{name}{attrs}/>"
        inner = _escape_text(element.text or "")
        for child in element:
            replaced = self.replace(child) if self.replace else None
            inner += replaced if replaced is not None else self.element(child)
            if child.tail:
                inner += _escape_text(child.tail)
        return f"<{name}{attrs}>{inner}</{name}>"


def parse_fragment(fragment: str) -> Element:
    """Our own stored fragment as an element tree (wrapped in a <div>)."""
    root: Element = SafeET.fromstring(f"<div>{fragment}</div>")
    return root


def canonical_flow(fragment: str) -> str:
    return Canonicaliser().flow(parse_fragment(fragment))


def canonical_inline(fragment: str) -> str:
    return Canonicaliser().inline(parse_fragment(fragment))


def text_to_flow(text: str, *, gap_token: str = GAP_TOKEN) -> str:
    """Plain text typed by an author: blank lines separate paragraphs, `[[gap]]` marks the gap."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    out = []
    for paragraph in paragraphs:
        escaped = _escape_text(paragraph).replace(gap_token, "<gap/>").replace("\n", "<br/>")
        out.append(f"<p>{escaped}</p>")
    return "".join(out)


def text_to_inline(text: str) -> str:
    return _escape_text(text.strip()).replace("\r\n", "\n").replace("\n", "<br/>")


def flow_to_text(fragment: str, *, gap_token: str = GAP_TOKEN) -> str:
    """The reverse of `text_to_flow`, for editing (markup other than paragraphs becomes text)."""
    root = parse_fragment(fragment) if fragment else Element("div")
    paragraphs = []
    for child in root:
        paragraphs.append(_plain(child, gap_token))
    return "\n\n".join(p for p in paragraphs if p)


def inline_to_text(fragment: str) -> str:
    return _plain(parse_fragment(fragment), GAP_TOKEN) if fragment else ""


def _plain(element: Element, gap_token: str) -> str:
    pieces = [element.text or ""]
    for child in element:
        name = local_name(child.tag)
        if name == "br":
            pieces.append("\n")
        elif name == "gap":
            pieces.append(gap_token)
        else:
            pieces.append(_plain(child, gap_token))
        pieces.append(child.tail or "")
    return "".join(pieces).strip() if local_name(element.tag) == "div" else "".join(pieces)


def iter_media(fragment: str) -> Iterator[str]:
    if "<img" not in fragment:
        return
    for element in parse_fragment(fragment).iter():
        if local_name(element.tag) == "img" and element.get("src"):
            yield str(element.get("src"))


def render_html(
    fragment: str,
    *,
    gap: str = "",
    media_url: Callable[[str], str] | None = None,
) -> str:
    """Safe HTML for a canonical fragment: every text escaped, only subset tags, `gap` spliced in."""
    if not fragment:
        return ""
    root = parse_fragment(fragment)
    return "".join(_render_children(root, gap, media_url))


def _render_children(
    element: Element, gap: str, media_url: Callable[[str], str] | None
) -> Iterator[str]:
    if element.text:
        yield html.escape(element.text, quote=False)
    for child in element:
        yield _render(child, gap, media_url)
        if child.tail:
            yield html.escape(child.tail, quote=False)


def _render(element: Element, gap: str, media_url: Callable[[str], str] | None) -> str:
    name = local_name(element.tag)
    if name == "gap":
        return gap
    if name not in BLOCK and name not in INLINE:
        return html.escape(element.text or "", quote=False)
    attributes = []
    for attribute in ATTRIBUTES.get(name, ()):
        value = element.get(attribute)
        if value is None:
            continue
        if attribute == "src":
            value = media_url(value) if media_url else ""
        attributes.append(f' {attribute}="{html.escape(value)}"')
    attrs = "".join(attributes)
    if name in VOID:
        return f"<{name}{attrs}>"
    inner = "".join(_render_children(element, gap, media_url))
    return f"<{name}{attrs}>{inner}</{name}>"
