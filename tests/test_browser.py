"""The built book in a real browser: Debian's Chromium driven by Playwright, offline.

Every page must load with HTTP 200, without console errors, with every image
loaded and every formula rendered by the book's own MathJax. A solution dropdown
must open on click and the search page must find something. Screenshots of three
pages are saved to _build/screenshots/ as test artifacts.
"""

import functools
import http.server
import os
import shutil
import threading

import pytest

from dnnbook.notebooks import repo_root

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = {
    "index.html": "home.png",
    "notebooks/01_vanishing_exploding_gradients.html": "chapter-01.png",
    "book/questions.html": "questions.png",
}

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        pytest.fail(
            "Chromium is missing: .ci/run installs it with `apt-get install chromium`",
            pytrace=False,
        )
    pytest.skip(
        "no Chromium here (`apt-get install chromium` to run the browser tests)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def site(built):
    proc, html = built
    assert proc.returncode == 0, "the book did not build"
    handler = functools.partial(_QuietHandler, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", html
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on(
        "console",
        lambda msg: (
            page.errors.append(msg.text) if msg.type == "error" else None
        ),
    )
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    # Offline, as in a classroom without internet: any request to another host fails the test.
    page.route(
        lambda url: not url.startswith("http://127.0.0.1"),
        lambda route: (
            page.errors.append(f"external request {route.request.url}"),
            route.abort(),
        ),
    )
    yield page
    context.close()


def test_every_page_loads_with_images_and_rendered_math(site, page):
    base, html = site
    pages = sorted(
        p.relative_to(html).as_posix()
        for p in html.rglob("*.html")
        if not p.relative_to(html).parts[0].startswith("_")
    )  # theme fragments, sources
    assert len(pages) >= 10, pages
    shots = repo_root() / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for rel in pages:
        page.errors.clear()
        response = page.goto(f"{base}/{rel}", wait_until="load")
        assert response.status == 200, f"{rel}: HTTP {response.status}"
        if (
            'http-equiv="Refresh"' in (html / rel).read_text()
        ):  # index.html redirects to the intro
            page.wait_for_url(
                lambda url: not url.endswith(rel), wait_until="load"
            )
        broken = page.evaluate(
            "Array.from(document.images)"
            ".filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
        )
        assert not broken, f"{rel}: images not loaded: {broken}"
        if page.locator(".math").count():
            page.wait_for_selector(
                "mjx-container", state="attached", timeout=15_000
            )
            text = page.inner_text("article")
            assert "$$" not in text and "\\(" not in text, (
                f"{rel}: raw LaTeX left in the page"
            )
        assert not page.errors, f"{rel}: console errors {page.errors}"
        if rel in SCREENSHOTS:
            page.screenshot(
                path=str(shots / SCREENSHOTS[rel]), full_page=False
            )
    assert all((shots / name).is_file() for name in SCREENSHOTS.values())


def test_solution_dropdown_opens_on_click(site, page):
    base, _ = site
    page.goto(f"{base}/book/questions.html")
    dropdown = page.locator(
        "article details"
    ).first  # not the sidebar's collapsible sections
    assert dropdown.get_attribute("open") is None
    assert not page.get_by_text("Drawing that one shared").is_visible()
    dropdown.locator("summary").click()
    assert dropdown.get_attribute("open") is not None
    assert page.get_by_text("Drawing that one shared").is_visible()


def test_search_finds_a_chapter(site, page):
    base, _ = site
    page.goto(f"{base}/search.html?q=initialization")
    results = page.locator("#search-results li")
    results.first.wait_for(timeout=15_000)
    assert results.count() >= 1
    assert "Vanishing and exploding" in page.inner_text("#search-results")
