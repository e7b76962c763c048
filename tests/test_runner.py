"""The runner, the FAST/FULL switch and the notebook helpers, on tiny notebooks."""

import os

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from dnnbook import notebooks as nbs
from dnnbook import pages, runner
from dnnbook.modes import FAST_ENV, fast_mode_default

ENV_INFO = {
    "tensorflow": "x",
    "keras": "y",
    "python": "z",
    "device": "CPU: test",
    "data_source": "offline copy",
}


def tiny_notebook(path, *extra_cells):
    nb = new_notebook(
        cells=[
            new_markdown_cell("# A tiny notebook"),
            new_code_cell(
                "import dnnbook\nFAST = dnnbook.fast_mode_default()",
                metadata={"tags": ["parameters"]},
            ),
            new_code_cell("print('FAST is', FAST)"),
            *extra_cells,
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(path))
    return path


@pytest.mark.parametrize(
    "value, expected",
    [
        ("", False),
        ("0", False),
        ("false", False),
        ("1", True),
        ("TRUE", True),
        (" yes ", True),
    ],
)
def test_fast_mode_from_environment(monkeypatch, value, expected):
    monkeypatch.setenv(FAST_ENV, value)
    assert fast_mode_default() is expected


def test_fast_mode_rejects_unclear_values(monkeypatch):
    monkeypatch.setenv(FAST_ENV, "maybe")
    with pytest.raises(
        ValueError, match="use 1 for a FAST run or 0 for a FULL run"
    ):
        fast_mode_default()


def test_code_hash_follows_code_not_outputs_or_markdown(tmp_path):
    nb = nbs.read(tiny_notebook(tmp_path / "a.ipynb"))
    before = nbs.code_hash(nb)
    nb.cells[2].outputs = [
        nbformat.v4.new_output("stream", text="FAST is True\n")
    ]
    nb.cells[0].source += "\nMore prose."
    assert nbs.code_hash(nb) == before
    nb.cells[2].source = "print('FAST:', FAST)"
    assert nbs.code_hash(nb) != before


@pytest.mark.parametrize("fast", [True, False])
def test_execute_records_mode_versions_and_code_hash(
    tmp_path, monkeypatch, fast
):
    source = tiny_notebook(tmp_path / "tiny.ipynb")
    out = tmp_path / "out" / "tiny.ipynb"
    monkeypatch.setenv(
        FAST_ENV, "0" if fast else "1"
    )  # the opposite of what the run asks for
    record = runner.execute(source, out, fast=fast, env_info=ENV_INFO)
    assert os.environ[FAST_ENV] == ("0" if fast else "1"), (
        "execute() must restore DNNBOOK_FAST"
    )
    nb = nbs.read(out)
    assert nb.cells[2].outputs[0].text == f"FAST is {fast}\n"
    assert nbs.execution_record(nb) == record
    assert record["mode"] == ("FAST" if fast else "FULL")
    assert record["code_sha256"] == nbs.code_hash(nbs.read(source))
    assert record["device"] == "CPU: test" and record["duration_s"] > 0
    assert [c.execution_count for c in nbs.code_cells(nb)] == [1, 2]
    assert "papermill" not in nb.metadata  # per-run noise is stripped
    assert all(
        "papermill" not in c.metadata and "execution" not in c.metadata
        for c in nb.cells
    )
    assert nb.metadata["kernelspec"]["name"] == "python3"


CLAIM_CELL = (
    "from dnnbook.checks import claim\n"
    "a, b = 0.81, 0.85\n"
    "claim('A beats B', a > b, a=a, b=b)"
)


@pytest.mark.parametrize(
    "cell, fast, ename, message",
    [
        ("1 / 0", True, "ZeroDivisionError", None),
        (  # a claim the FULL run contradicts fails it, and is named
            CLAIM_CELL,
            False,
            "ClaimFailed",
            "claim failed: the text says “A beats B”, but this run gives "
            "a = 0.81, b = 0.85",
        ),
    ],
    ids=["error", "failed-claim"],
)
def test_failed_notebook_never_overwrites_its_target(
    tmp_path, cell, fast, ename, message
):
    source = tiny_notebook(tmp_path / "broken.ipynb", new_code_cell(cell))
    target = tmp_path / "committed.ipynb"
    target.write_text("previous content")
    with pytest.raises(Exception) as info:
        runner.execute(
            source,
            target,
            fast=fast,
            env_info=ENV_INFO,
            failed_dir=tmp_path / "failed",
        )
    assert info.value.ename == ename  # papermill names the cell's error
    assert target.read_text() == "previous content"
    failed = nbs.read(tmp_path / "failed" / "broken.ipynb")
    assert failed.cells[-1].outputs[0].ename == ename
    if message:
        assert runner.failure_message(info.value) == message


def test_report_lists_each_notebook_with_its_record(tmp_path):
    for folder in nbs.EXECUTED_DIRS:
        (tmp_path / folder).mkdir()
    done = tiny_notebook(tmp_path / "notebooks" / "01_done.ipynb")
    nb = nbs.read(done)
    nb.metadata["dnnbook"] = {
        "execution": {
            "mode": "FULL",
            "duration_s": 12.34,
            "executed_at": "now",
            **ENV_INFO,
            "code_sha256": nbs.code_hash(nb),
        }
    }
    nbformat.write(nb, str(done))
    tiny_notebook(tmp_path / "solutions" / "02_todo.ipynb")
    page = pages.report_markdown(tmp_path)
    assert (
        "| {doc}`A tiny notebook <../notebooks/01_done>` | FULL | 12.3 | not measured | CPU: test |"
        in page
    )
    assert (
        "| {doc}`A tiny notebook <../solutions/02_todo>` | not executed |"
        in page
    )
    nb.metadata["dnnbook"]["execution"]["fast_duration_s"] = 4.56
    nbformat.write(nb, str(done))
    assert "| FULL | 12.3 | 4.6 | CPU: test |" in pages.report_markdown(
        tmp_path
    )


def test_fast_cli_refuses_to_write_in_place(capsys):
    with pytest.raises(SystemExit):
        runner.main(["run", "--fast"])
    assert "FAST outputs are never committed" in capsys.readouterr().err


def test_executed_notebooks_keep_only_the_final_state_of_progress_bars(
    tmp_path,
):
    bar = new_code_cell(
        "import dnnbook\n"
        "for i in dnnbook.track(range(3), 'runs'):\n"
        "    pass\n"
        "print('after the bar')"
    )
    source = tiny_notebook(tmp_path / "bar.ipynb", bar)
    out = tmp_path / "out" / "bar.ipynb"
    runner.execute(source, out, fast=True, env_info=ENV_INFO)
    outputs = nbs.read(out).cells[3].outputs
    assert len(outputs) == 1, "consecutive stream outputs are merged"
    text = outputs[0].text
    assert "\r" not in text
    assert text.startswith("runs: 3/3 |") and text.count("runs:") == 1
    assert text.endswith("after the bar\n")


def test_a_fast_run_evaluates_claims_without_failing(tmp_path):
    source = tiny_notebook(
        tmp_path / "claims.ipynb", new_code_cell(CLAIM_CELL)
    )
    out = tmp_path / "out.ipynb"
    runner.execute(source, out, fast=True, env_info=ENV_INFO)
    text = nbs.read(out).cells[-1].outputs[0].text
    assert text == (
        "· not judged in a FAST run: A beats B (a = 0.81, b = 0.85)\n"
    )


def test_execute_passes_a_seed_parameter(tmp_path):
    source = tiny_notebook(
        tmp_path / "seeded.ipynb", new_code_cell("print('SEED', SEED)")
    )
    nb = nbs.read(source)
    nb.cells[1].source += "\nSEED = 42"
    nbformat.write(nb, str(source))
    out = tmp_path / "out.ipynb"
    runner.execute(
        source, out, fast=True, env_info=ENV_INFO, parameters={"SEED": 7}
    )
    assert nbs.read(out).cells[-1].outputs[0].text == "SEED 7\n"


def self_editing_notebook(tmp_path, change):
    """A tiny notebook whose last cell applies ``change`` to ``nb``, the
    notebook's own file on disk, while it runs."""
    code = (
        "import nbformat\n"
        'nb = nbformat.read("edited.ipynb", as_version=4)\n'
        f"{change}\n"
        'nbformat.write(nb, "edited.ipynb")\n'
    )
    return tiny_notebook(tmp_path / "edited.ipynb", new_code_cell(code))


def test_markdown_edited_during_an_in_place_run_is_kept(tmp_path):
    path = self_editing_notebook(
        tmp_path, 'nb.cells[0].source = "# Edited while it ran"'
    )
    runner.execute(path, path, fast=True, env_info=ENV_INFO)
    after = nbs.read(path)
    assert after.cells[0].source == "# Edited while it ran"
    assert after.cells[2].outputs[0].text == "FAST is True\n"  # executed


def test_code_edited_during_an_in_place_run_stops_the_write(tmp_path):
    path = self_editing_notebook(
        tmp_path, "nb.cells[2].source = \"print('changed')\""
    )
    with pytest.raises(runner.ChangedWhileRunning, match="Run it again"):
        runner.execute(path, path, fast=True, env_info=ENV_INFO)
    after = nbs.read(path)
    assert after.cells[2].source == "print('changed')"  # the edit survives
    assert not after.cells[2].get("outputs")
