"""The pages: the analysts' network explorer (``/explore``) and the stewards' review screen (``/review``).

They are static assets built from ``web/`` (esbuild; the built files are committed under ``static/`` so
running the server needs no Node.js). The pages call only ``POST /graphql`` with the token the user pastes
and an ``X-Purpose`` header, so the sharing policy and the audit apply to them as to any other client.
Everything is sent with a strict Content-Security-Policy (scripts and styles from this origin only, no
inline script, no framing, calls only to this origin), pages are never cached, assets are revalidated.
"""

from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from api.policy import Policy

__all__ = ["CONTENT_SECURITY_POLICY", "STATIC_DIR", "routes"]

STATIC_DIR = Path(__file__).parent / "static"
_PAGES = {"/explore": "explore.html", "/review": "review.html"}
# data: and blob: images are the PNG export; nothing else leaves or enters but calls to this origin.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                           "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
                           "frame-ancestors 'none'")
_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


@lru_cache(maxsize=4)
def _template(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def _purpose_options(request: Request) -> str:
    """The policy's purposes as <option>s: the page offers exactly what the API accepts."""
    policy: Policy = request.app.state.services.policy
    return "".join(f'<option value="{html.escape(code)}">{html.escape(code)}'
                   f'{": " + html.escape(description) if description else ""}</option>'
                   for code, description in policy.purposes.items())


async def page(request: Request) -> Response:
    """An HTML page: no-store (it is the shell of a view of personal data), never framed."""
    body = _template(_PAGES[request.url.path]).replace("<!--PURPOSES-->", _purpose_options(request))
    return HTMLResponse(body, headers={**_HEADERS, "Cache-Control": "no-store"})


class _Assets(StaticFiles):
    """The built scripts and styles: no personal data, revalidated on every load (ETag) so a deployment is
    seen at once, with the same security headers as the pages."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                headers += [(k.lower().encode(), v.encode()) for k, v in _HEADERS.items()]
                headers.append((b"cache-control", b"no-cache"))
                message = {**message, "headers": headers}
            await send(message)

        await super().__call__(scope, receive, send_with_headers)


def routes() -> list[BaseRoute]:
    return [Route(path, page, methods=["GET", "HEAD"]) for path in _PAGES] + [
        Mount("/static", app=_Assets(directory=STATIC_DIR, check_dir=False), name="static")]
