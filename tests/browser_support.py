"""Helpers shared by the browser tests (test_browser.py, test_accessibility.py)."""

import os
import re
import shutil
from pathlib import Path

import pytest

from dnnbook import notebooks as nbs
from dnnbook.sphinx_ext import figure_metadata

ROOT = nbs.repo_root()
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP, PHONE = 1280, 390
SHOTS = ROOT / "_build" / "screenshots"


def require_chromium():
    """Skip the calling test module without Chromium; in CI, fail instead."""
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        pytest.fail(
            "Chromium is missing: .ci/run installs it with "
            "`apt-get install chromium`",
            pytrace=False,
        )
    pytest.skip(
        "no Chromium here (`apt-get install chromium` to run the browser "
        "tests)",
        allow_module_level=True,
    )


def open_page(browser, width, color_scheme="light"):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=color_scheme
    )
    page = context.new_page()
    page.errors = []
    page.on(
        "console",
        lambda msg: (
            page.errors.append(msg.text) if msg.type == "error" else None
        ),
    )
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on(
        "requestfailed",
        lambda req: page.errors.append(f"request failed: {req.url}"),
    )
    page.on(
        "response",
        lambda res: (
            page.errors.append(f"HTTP {res.status}: {res.url}")
            if res.status >= 400
            else None
        ),
    )
    # Offline, as in a classroom without internet: any request to another host
    # fails the test.
    page.route(
        lambda url: not url.startswith("http://127.0.0.1"),
        lambda route: (
            page.errors.append(f"external request {route.request.url}"),
            route.abort(),
        ),
    )
    return page


def book_pages(html):
    """Every page of the book (not the theme's fragments or the sources)."""
    return sorted(
        p.relative_to(html).as_posix()
        for p in html.rglob("*.html")
        if not p.relative_to(html).parts[0].startswith("_")
        and p.name not in ("search.html", "genindex.html")
    )


def goto(page, base, html, rel):
    response = page.goto(f"{base}/{rel}", wait_until="load")
    assert response.status == 200, f"{rel}: HTTP {response.status}"
    if 'http-equiv="Refresh"' in (html / rel).read_text():
        # index.html redirects to the introduction
        page.wait_for_url(
            lambda url: not url.endswith(rel), wait_until="load"
        )
    page.wait_for_load_state("networkidle")


def shot_name(rel, width):
    return (
        re.sub(r"[^\w-]+", "_", rel.removesuffix(".html")) + f"-{width}.png"
    )


def figure_records(rel):
    """Image file digest -> what the course style recorded about that figure
    (its description and its smallest text size in PNG pixels)."""
    source = ROOT / Path(rel).with_suffix(".ipynb")
    return figure_metadata(source) if source.exists() else {}
