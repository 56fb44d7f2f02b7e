"""The engine's SVG figures, made safe for pages under the strict Content-Security-Policy.

matplotlib writes presentation as CSS: `style="fill: #fff; stroke: …"` attributes and a
`<style>` block. The office's policy (`style-src 'self'`) blocks both, so the figures would lose
every line colour and font. SVG has the same properties as presentation attributes
(`fill="#fff"`), which no policy restricts: this module rewrites one into the other, keeps only
known presentation properties, and drops anything else (nothing executable is ever written).
"""

from __future__ import annotations

import html
import re

# SVG 1.1 presentation attributes matplotlib may use (SVG 1.1, section 6.4; SVG 2, 6.6).
PRESENTATION_ATTRIBUTES = frozenset(
    {
        "alignment-baseline",
        "clip-path",
        "clip-rule",
        "color",
        "display",
        "dominant-baseline",
        "fill",
        "fill-opacity",
        "fill-rule",
        "font-family",
        "font-size",
        "font-style",
        "font-variant",
        "font-weight",
        "letter-spacing",
        "opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
        "text-decoration",
        "visibility",
        "word-spacing",
    }
)
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style>", re.DOTALL)
_EMPTY_DEFS = re.compile(r"<defs>\s*</defs>")
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_SCRIPTING = re.compile(r"<script\b|\son[a-z]+\s*=|javascript:", re.IGNORECASE)


def _attributes(declarations: str) -> str:
    out = []
    for declaration in declarations.split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip().lower(), value.strip()
        if (name in PRESENTATION_ATTRIBUTES and value and "url(" not in value.replace(" ", "")) or (
            name == "clip-path" and value.startswith("url(#")
        ):
            out.append(f'{name}="{html.escape(value, quote=True)}"')
    return (" " + " ".join(out)) if out else ""


def presentation_svg(svg: str) -> str:
    """`svg` with every CSS declaration turned into a presentation attribute (see module doc)."""
    root_rules: list[str] = []
    for block in _STYLE_ELEMENT.findall(svg):
        for selector, declarations in _RULE.findall(block):
            if selector.strip() == "*":  # matplotlib's defaults for every element
                root_rules.append(declarations)
    text = _STYLE_ELEMENT.sub("", svg)
    text = _EMPTY_DEFS.sub("", text)
    text = _STYLE_ATTRIBUTE.sub(lambda match: _attributes(match.group(1)), text)
    if root_rules:
        # Inherited properties set on the root apply to every element, as the `*` rule did.
        start = text.index("<svg") + len("<svg")
        text = text[:start] + _attributes(";".join(root_rules)) + text[start:]
    if _SCRIPTING.search(text):
        raise ValueError("the figure holds scripting; it is not shown")
    return text
