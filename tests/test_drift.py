"""The FULL drift check: tolerances by kind, the comparison and a real run."""

import json

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from dnnbook import drift, runner
from dnnbook import notebooks as nbs
from dnnbook.modes import FAST_ENV


def glued(**values):
    """A notebook whose outputs glue ``values`` the way myst-nb does."""
    outputs = [
        new_output(
            "display_data",
            data={"text/plain": repr(value)},
            metadata={"scrapbook": {"name": key, "mime_prefix": ""}},
        )
        for key, value in values.items()
    ]
    return new_notebook(cells=[new_code_cell("glue(...)", outputs=outputs)])


@pytest.mark.parametrize(
    "key, value, kind",
    [
        ("cifar10_bn_val_acc", 0.51, "accuracy"),
        ("clip_acc_none", 0.1, "accuracy"),
        ("bn_val_loss", 0.4, "loss"),
        ("cifar10_bn_sec_per_epoch", 3.9, "time"),
        ("mnist59_cached_speedup", 1.7, "time"),
        ("clip_diverged_none", 2, "count"),
        ("bn_verdict", "above", "text"),
        ("glorot_std_ratio", 0.31, "number"),
    ],
)
def test_kind_comes_from_the_key_and_value(key, value, kind):
    assert drift.kind_of(key, value) == kind


def test_tolerances_by_kind():
    t = drift.TOLERANCES
    assert drift.within(0.500, 0.519, t["accuracy"])
    assert not drift.within(0.500, 0.521, t["accuracy"])
    assert drift.within(1.0, 1.2, t["loss"])
    assert not drift.within(1.0, 1.3, t["loss"])
    assert drift.within(10.0, 99.0, t["time"])  # never judged
    assert drift.within(3, 3, t["count"])
    assert not drift.within(3, 2, t["count"])
    assert not drift.within("above", "below", t["text"])
    assert not drift.within(float("nan"), 0.5, t["accuracy"])


def test_compare_reports_every_key_and_judges_each():
    before = glued(a_acc=0.80, n_runs=3, s_sec=4.0, gone=1.0)
    after = glued(a_acc=0.85, n_runs=3, s_sec=9.0, new_key="x")
    rows = {r.key: r for r in drift.compare("nb", before, after)}
    assert set(rows) == {"a_acc", "n_runs", "s_sec", "gone", "new_key"}
    assert not rows["a_acc"].ok
    assert rows["a_acc"].difference == pytest.approx(0.05)
    assert rows["n_runs"].ok and rows["s_sec"].ok
    assert not rows["gone"].ok and not rows["new_key"].ok


def test_an_override_replaces_the_kind_tolerance(monkeypatch):
    monkeypatch.setitem(
        drift.OVERRIDES, "a_acc", drift.Tolerance(absolute=0.1, why="x")
    )
    rows = drift.compare("nb", glued(a_acc=0.80), glued(a_acc=0.85))
    assert rows[0].ok


def test_report_has_a_summary_and_one_row_per_value(tmp_path):
    rows = drift.compare("nb", glued(a_acc=0.8), glued(a_acc=0.9))
    md, js = drift.write_report(tmp_path, rows, {"x.ipynb": "boom"}, 7)
    text = md.read_text()
    assert "Seed: 7. 1 glued values compared, 1 out of tolerance" in text
    assert "- **x.ipynb failed:** boom" in text
    assert "| nb | `a_acc` | accuracy | 0.8 | 0.9 | 0.1 | **no**" in text
    data = json.loads(js.read_text())
    assert data["seed"] == 7 and data["values"][0]["key"] == "a_acc"


def test_a_real_fast_drift_run_of_the_fastest_chapter(
    tmp_path, monkeypatch
):
    """The chapter whose FAST run is the shortest, re-run in FAST mode and
    compared with its committed FULL outputs (the values differ: FAST runs
    are smaller). One run is enough for what is asserted: every glued value
    gets a row, nothing fails, times are never judged, and the exit code
    follows the report."""
    monkeypatch.delenv(FAST_ENV, raising=False)
    root = nbs.repo_root()
    chapter = min(
        (root / "notebooks").glob("*.ipynb"),
        key=lambda path: nbs.execution_record(nbs.read(path)).get(
            "fast_duration_s", float("inf")
        ),
    )
    committed_cells = nbs.read(chapter).cells
    out = tmp_path / "drift"
    code = runner.main(["drift", "--fast", "--out", str(out), str(chapter)])
    report = json.loads((out / "report.json").read_text())
    committed = nbs.glued_values(nbs.read(chapter))
    keys = {row["key"] for row in report["values"]}
    assert keys == set(committed), "every glued value gets a row"
    assert report["failures"] == {}
    bad = [row for row in report["values"] if not row["ok"]]
    assert code == (1 if bad else 0), "the exit code follows the report"
    times = [r for r in report["values"] if r["kind"] == "time"]
    assert all(r["ok"] for r in times), "times are never judged"
    assert (out / "notebooks" / chapter.name).exists()
    assert nbs.read(chapter).cells == committed_cells, "left untouched"


def test_merge_gathers_per_notebook_jobs(tmp_path):
    import nbformat

    for job, key, after in (("a", "x_acc", 0.81), ("b", "y_acc", 0.99)):
        rows = drift.compare(
            f"notebooks/{job}.ipynb",
            glued(**{key: 0.8}),
            glued(**{key: after}),
        )
        drift.write_report(tmp_path / job, rows, {}, None)
        rerun = glued(**{key: after})
        rerun.cells.insert(0, nbformat.v4.new_markdown_cell(f"# {job}"))
        (tmp_path / job / "notebooks").mkdir()
        nbformat.write(
            rerun, str(tmp_path / job / "notebooks" / f"{job}.ipynb")
        )
    md, js, execution = drift.merge(tmp_path)
    data = json.loads(js.read_text())
    assert [v["key"] for v in data["values"]] == ["x_acc", "y_acc"]
    assert [v["ok"] for v in data["values"]] == [True, False]
    assert "2 glued values compared, 1 out of tolerance" in md.read_text()
    page = execution.read_text()
    assert "notebooks/a>" in page and "notebooks/b>" in page


def test_verdict_fails_on_a_failed_notebook_or_a_moved_value_of_the_same_seed():
    assert not drift.failed([True, True], {}, None)
    assert drift.failed([True, False], {}, None)
    assert not drift.failed(
        [True, False], {}, 7
    )  # another seed: values move
    assert drift.failed([True], {"nb": "claim failed"}, 7)


def test_every_override_names_a_value_that_a_notebook_glues():
    # a renamed glue key would leave its override silently unused
    glued = set()
    for path in nbs.executed_notebooks(nbs.repo_root()):
        glued |= set(nbs.glued_values(nbs.read(path)))
    unused = sorted(set(drift.OVERRIDES) - glued)
    assert not unused, (
        f"drift.OVERRIDES names keys that no notebook glues: {unused}"
    )
