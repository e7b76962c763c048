"""Fixtures shared by the book tests."""

import fcntl
import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from dnnbook.notebooks import repo_root


def pytest_report_header(config):
    from dnnbook.data import data_dir

    return f"dnnbook data: {data_dir() or 'keras.datasets downloads'}"


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The book, built once per test session: (completed process, HTML folder).

    Under pytest-xdist the workers share one build: the first to take the lock
    builds, the others wait and reuse it. ``DNNBOOK_BUILT_HTML=_build/html``
    reuses a book built by ``make book`` instead (a quicker loop while writing
    browser tests).
    """
    reuse = os.environ.get("DNNBOOK_BUILT_HTML")
    if reuse:
        done = subprocess.CompletedProcess([], 0, stdout="", stderr="")
        return done, Path(reuse).resolve()
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = (
            shared.parent
        )  # the folder all workers of this session share
    record = shared / "book-build.json"
    with open(shared / "book-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            proc = subprocess.run(
                [
                    str(Path(sys.executable).parent / "jupyter-book"),
                    "build",
                    str(repo_root()),
                    "--path-output",
                    str(shared / "book"),
                    "-W",
                    "-n",
                    "--keep-going",
                ],
                capture_output=True,
                text=True,
            )
            record.write_text(
                json.dumps([proc.returncode, proc.stdout, proc.stderr])
            )
    code, stdout, stderr = json.loads(record.read_text())
    done = subprocess.CompletedProcess(
        [], code, stdout=stdout, stderr=stderr
    )
    return done, shared / "book" / "_build" / "html"


@pytest.fixture(scope="module")
def site(built):
    """The built book served on localhost: (base URL, HTML folder)."""
    proc, html = built
    assert proc.returncode == 0, "the book did not build"
    handler = functools.partial(_QuietHandler, directory=str(html))
    server = _QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", html
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A browser that drops a connection mid-response (a request it
        # cancelled on navigating away) is not a fault of the book.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright."""
    from browser_support import CHROMIUM, CHROMIUM_FLAGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A page at laptop width (1280 px)."""
    from browser_support import DESKTOP, open_page

    page = open_page(browser, DESKTOP)
    yield page
    page.context.close()
