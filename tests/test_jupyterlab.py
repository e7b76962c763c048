"""An exercise done where learners do it: real JupyterLab, driven in Chromium.

JupyterLab starts on a free local port, on a copy of exercises/. The test opens
an exercise, chooses Run > Run All Cells, and waits for the kernel: every code
cell must have run (an execution count) and none may show an error. Then it
puts the solution's code into the first TODO cell through the file, reloads the
notebook from disk, runs that cell and its self-check, and expects the ✓ line.
Screenshots go to _build/screenshots/.
"""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from dnnbook.kernel import QUIET_TF_ENV
from browser_support import ROOT, SHOTS, open_page, require_chromium

require_chromium()
EXERCISE = "pair_pretraining.ipynb"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a copy of exercises/: (base URL, token, folder)."""
    folder = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "exercises", folder / "exercises")
    shutil.copytree(ROOT / "solutions", folder / "solutions")
    port, token = free_port(), secrets.token_hex(16)
    command = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={folder}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    # Render every cell (JupyterLab 4 only renders the cells in view by default),
    # so that the test can read every prompt and output.
    settings = folder / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(
        '{"windowingMode": "none"}'
    )
    env = {
        **os.environ,
        "DNNBOOK_FAST": "1",
        **QUIET_TF_ENV,
        "JUPYTERLAB_SETTINGS_DIR": str(folder / "settings"),
    }
    log = open(folder / "lab.log", "w")
    server = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}")
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(
                    "JupyterLab did not start:\n"
                    + (folder / "lab.log").read_text()[-3000:]
                )
            time.sleep(0.5)
    yield base, token, folder
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


PROMPTS = """() => [...document.querySelectorAll(
    '.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')].map((p) => p.innerText.trim())"""


def wait_until_every_cell_ran(page, timeout_s=120):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        prompts = page.evaluate(PROMPTS)
        if prompts and all(
            p.startswith("[") and p[1:-2].strip().isdigit() for p in prompts
        ):
            return prompts
        page.wait_for_timeout(1000)
    pytest.fail(f"cells still waiting to run: {page.evaluate(PROMPTS)}")


def run_menu(page, menu, item):
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def test_run_all_then_finish_a_todo_in_jupyterlab(lab, browser):
    base, token, folder = lab
    page = open_page(browser, 1280)
    page.set_default_timeout(60_000)
    page.goto(f"{base}/lab/tree/exercises/{EXERCISE}?token={token}")
    page.locator(".jp-Notebook .jp-CodeCell").first.wait_for()
    # The notebook names the course kernel: JupyterLab starts it without asking.
    kernel = page.locator(".jp-Toolbar-kernelName").first
    deadline = time.monotonic() + 60
    while (
        "dnnbook" not in kernel.inner_text() and time.monotonic() < deadline
    ):
        page.wait_for_timeout(500)
    assert "dnnbook" in kernel.inner_text(), kernel.inner_text()
    page.locator(
        ".jp-Notebook-ExecutionIndicator[data-status='idle']"
    ).wait_for()

    run_menu(page, "Run", "Run All Cells")
    prompts = wait_until_every_cell_ran(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "jupyterlab-run-all.png"))
    errors = page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    )
    assert errors.count() == 0, errors.first.inner_text()[:500]
    outputs = page.locator(".jp-Notebook").inner_text()
    assert "Traceback" not in outputs and "Error" not in outputs
    assert "✎ TODO" in outputs and "⏭ Skipped" in outputs
    assert len(prompts) >= 15

    # Finish Task 1 with the solution's code, written into the file.
    path = folder / "exercises" / EXERCISE
    exercise = nbformat.read(path, as_version=4)
    solution = nbformat.read(folder / "solutions" / EXERCISE, as_version=4)
    answer = next(
        c
        for c in solution.cells
        if "solution" in c.metadata.get("tags", [])
        and "def make_tower" in c.source
    )
    todo_cell = next(
        c
        for c in exercise.cells
        if "make_tower" in c.source and "dnnbook.todo(" in c.source
    )
    todo_cell.source = answer.source
    nbformat.write(exercise, path)
    # Reload the page: the notebook comes back from disk, on the same kernel.
    page.on("dialog", lambda dialog: dialog.accept())  # "leave the page?"
    page.reload()
    index = exercise.cells.index(todo_cell)
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    assert "make_tower" in cell.inner_text()
    cell.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Shift+Enter")  # the cell ...
    page.keyboard.press("Shift+Enter")  # ... and its self-check below it
    check = page.locator(
        ".jp-OutputArea-output", has_text="✓ 5 hidden Dense"
    )
    check.first.wait_for(timeout=120_000)
    page.screenshot(path=str(SHOTS / "jupyterlab-task-done.png"))
    page.context.close()
