"""The page around public verification, rendered once and reused (product.md §5).

Verification is the busiest public page. For anonymous visitors the header, navigation and
footer never change between requests except for the CSP nonce, so the site layout is rendered
once per language with placeholders, and each request renders only its content fragment and
fills the placeholders in. Signed-in visitors get the ordinary full render. A test holds both
paths to the same bytes.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString

NONCE = "peritusshellnonce7f3a9c"
TITLE = "peritusshelltitle7f3a9c"
CONTENT = "peritusshellcontent7f3a9c"


@functools.lru_cache(maxsize=32)
def _layout(language: str, path: str) -> tuple[str, str, str, str]:
    """The layout split around the title, the nonce(s) and the content: (head, middle, tail…)."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.META = {"SERVER_NAME": "peritus.invalid", "SERVER_PORT": "443", "REQUEST_METHOD": "GET"}
    request.user = AnonymousUser()
    request._csp_nonce = NONCE  # type: ignore[attr-defined]
    with translation.override(language):
        html = render_to_string("registry/shell.html", request=request)
    before_title, after_title = html.split(TITLE, 1)
    before_content, after_content = after_title.split(CONTENT, 1)
    return before_title, before_content, after_content, NONCE


def layout(language: str, path: str) -> tuple[str, str, str, str]:
    if settings.DEBUG:  # templates change under the developer's hands
        _layout.cache_clear()
    return _layout(language, path)


def render_page(
    request: HttpRequest,
    *,
    full_template: str,
    fragment: SafeString,
    title: str,
    status: int = 200,
) -> HttpResponse:
    """`full_template` rendered as usual around `fragment` (its whole content), or for anonymous
    visitors the cached layout with `fragment` put in."""
    if request.user.is_authenticated:
        return render(request, full_template, {"fragment": fragment, "title": title}, status=status)
    lazy_nonce = get_nonce(request)  # a LazyNonce is falsy until generated: str() generates it
    html = anonymous_page(
        language=translation.get_language() or settings.LANGUAGE_CODE,
        path=request.path,
        title=title,
        fragment=fragment,
        nonce=str(lazy_nonce) if lazy_nonce is not None else "",
    )
    return HttpResponse(html, status=status)


def anonymous_page(*, language: str, path: str, title: str, fragment: str, nonce: str) -> str:
    """The cached layout for `path`'s section with the title, the content and the nonce put in."""
    before_title, before_content, after_content, nonce_mark = layout(language, _section(path))
    return "".join(
        (
            before_title.replace(nonce_mark, nonce),
            escape(title),
            before_content.replace(nonce_mark, nonce),
            fragment,
            after_content.replace(nonce_mark, nonce),
        )
    )


def _section(path: str) -> str:
    """The layout only depends on the section the path is in (which menu item is current)."""
    for prefix in ("/verify/", "/register/"):
        if path.startswith(prefix):
            return prefix
    return "/"
