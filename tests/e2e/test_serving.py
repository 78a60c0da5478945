"""How the pages are served: strict Content-Security-Policy, no caching of pages, no inline script."""

from __future__ import annotations

import re

import httpx

from api.web import STATIC_DIR
from tests.e2e.conftest import Served


def test_pages_and_assets_are_served_with_a_strict_policy(served: Served) -> None:
    for path in ("/explore", "/review"):
        response = httpx.get(served.url + path)
        assert response.status_code == 200
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "no-referrer"
        # No inline script or style: every <script> has a src, no style attributes or <style> elements.
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text)
        assert "<style" not in response.text and " style=" not in response.text
        # The purposes offered are the policy's own.
        assert '<option value="mash_enquiry">' in response.text and "<!--PURPOSES-->" not in response.text
    for name in ("explore.js", "review.js", "app.css"):
        asset = httpx.get(f"{served.url}/static/{name}")
        assert asset.status_code == 200 and asset.content == (STATIC_DIR / name).read_bytes()
        assert asset.headers["cache-control"] == "no-cache" and "etag" in asset.headers
        assert asset.headers["content-security-policy"].startswith("default-src 'none'")
    assert httpx.get(f"{served.url}/static/../app.py").status_code == 404
    assert httpx.post(f"{served.url}/explore").status_code == 405
