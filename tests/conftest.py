"""Fixtures shared by the book tests."""

import subprocess
import sys
from pathlib import Path

import pytest

from dnnbook.notebooks import repo_root


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Build the book once per test process: (completed process, path of the HTML site)."""
    out = tmp_path_factory.mktemp("book")
    jb = Path(sys.executable).parent / "jupyter-book"
    proc = subprocess.run(
        [
            str(jb),
            "build",
            str(repo_root()),
            "--path-output",
            str(out),
            "-W",
            "-n",
            "--keep-going",
        ],
        capture_output=True,
        text=True,
    )
    return proc, out / "_build" / "html"
