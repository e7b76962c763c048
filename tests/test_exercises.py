"""Exercise twins: generation from solutions, drift, and graceful execution."""

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import (
    new_code_cell,
    new_markdown_cell,
    new_notebook,
    new_output,
)

from dnnbook import exercises as ex
from dnnbook import notebooks as nbs
from dnnbook.kernel import KERNEL_NAME

ROOT = nbs.repo_root()
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def sample_solution():
    nb = new_notebook(
        cells=[
            new_markdown_cell(
                "# Exercise: a tiny task\n\nBuild `x`, then square it."
            ),
            new_code_cell("import dnnbook\nbase = 40"),
            new_code_cell(
                "# TODO: set x to base + 2\n# (two lines of hint)\nx = base + 2",
                metadata={"tags": ["solution"]},
                outputs=[new_output("stream", text="ignored\n")],
                execution_count=2,
            ),
            new_code_cell(
                "def square(v):\n    # BEGIN SOLUTION: return v squared\n    result = v * v\n"
                "    return result\n    # END SOLUTION\n\ny = square(x)\nprint('y =', y)"
            ),
            new_code_cell(
                "dnnbook.checks.check_in_range('y', y, 0, 10_000)"
            ),
            new_markdown_cell(
                "Discussion: 42 squared is 1764.",
                metadata={"tags": ["solution"]},
            ),
            new_markdown_cell("## Takeaways\n\n- squares grow fast"),
        ]
    )
    nb.metadata["dnnbook"] = {"execution": {"mode": "FULL"}}
    return nb


def run_allowing_errors(nb, tmp_path):
    client = NotebookClient(
        nb,
        kernel_name=KERNEL_NAME,
        allow_errors=True,
        timeout=600,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    return client.execute()


def errors_and_text(nb):
    errors, text = [], ""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                errors.append(out.ename)
            elif out.output_type == "stream":
                text += out.text
    return errors, text


def test_generated_exercise_replaces_solutions_and_keeps_the_rest():
    exercise = ex.make_exercise(sample_solution(), "tiny.ipynb")
    sources = [c.source for c in exercise.cells]
    assert sources[0].startswith("# Exercise: a tiny task")
    assert "solutions/tiny.ipynb" in sources[1]  # the banner
    assert sources[2] == "import dnnbook\nbase = 40"
    assert sources[3] == (
        "# TODO: set x to base + 2 (two lines of hint)\n"
        "dnnbook.todo('set x to base + 2 (two lines of hint)', defines=['x'])"
    )
    assert (
        "    # TODO: return v squared\n    dnnbook.todo('return v squared', defines=['result'])"
        in sources[4]
    )
    assert "y = square(x)" in sources[4]
    assert not any("Discussion" in s for s in sources), (
        "solution-only markdown leaked"
    )
    assert not any("x = base + 2" in s or "v * v" in s for s in sources), (
        "solution code leaked"
    )
    assert all(
        c.get("outputs") == [] and c.get("execution_count") is None
        for c in exercise.cells
        if c.cell_type == "code"
    )
    assert "dnnbook" not in exercise.metadata


def test_generation_is_deterministic_and_leaves_the_solution_alone():
    solution = sample_solution()
    before = nbformat.writes(solution)
    first = ex.render(ex.make_exercise(solution, "tiny.ipynb"))
    assert first == ex.render(ex.make_exercise(solution, "tiny.ipynb"))
    assert nbformat.writes(solution) == before


@pytest.mark.parametrize(
    "source, problem",
    [
        ("# BEGIN SOLUTION\nx = 1", "without an END"),
        ("x = 1\n# END SOLUTION", "without a BEGIN"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", "nested"),
    ],
)
def test_malformed_markers_are_reported(source, problem):
    nb = new_notebook(cells=[new_code_cell(source)])
    with pytest.raises(ValueError, match=problem):
        ex.make_exercise(nb, "bad.ipynb")


def test_defined_names_covers_common_statements():
    code = (
        "import numpy as np\nfrom keras import layers\na, (b, c) = 1, (2, 3)\nd += 1\n"
        "e: int = 5\ndef f(): pass\nclass G: pass\nfor h in []: pass\n"
        "with open('x') as i: pass\nprint(a)"
    )
    assert ex.defined_names(code) == [
        "np",
        "layers",
        "a",
        "b",
        "c",
        "d",
        "e",
        "f",
        "G",
        "h",
        "i",
    ]
    nested = (
        "for k in range(3):\n    m, n = k, k\nif True:\n    o = 1\nelse:\n    p = 2\n"
        "try:\n    q = 1\nexcept ValueError:\n    r = 2\ndef s():\n    hidden = 1"
    )
    assert ex.defined_names(nested) == [
        "k",
        "m",
        "n",
        "o",
        "p",
        "q",
        "r",
        "s",
    ]


def test_exercise_runs_with_only_todo_errors_and_solution_runs_clean(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("DNNBOOK_FAST", "1")
    exercise = run_allowing_errors(
        ex.make_exercise(sample_solution(), "tiny.ipynb"), tmp_path
    )
    errors, text = errors_and_text(exercise)
    # Only the first stub raises: the cell defining y needs x, so it skips (and y with it).
    assert errors == ["NotImplementedError"]
    assert "TODO not done yet: set x to base + 2" in str(
        exercise.cells[3].outputs
    )
    assert "⏭ Not done yet: this cell needs `x`" in text
    assert "⏭ Not done yet: this cell needs `y`" in text
    solution = run_allowing_errors(sample_solution(), tmp_path)
    errors, text = errors_and_text(solution)
    assert errors == [] and "y = 1764" in text and "✓ y = 1764" in text


@pytest.mark.parametrize(
    "solution", SOLUTIONS, ids=[p.name for p in SOLUTIONS]
)
def test_committed_exercise_matches_its_solution(solution):
    target = ROOT / "exercises" / solution.name
    assert target.exists(), (
        f"exercises/{solution.name} is missing: run `make exercises`"
    )
    assert target.read_text() == ex.exercise_text(solution), (
        f"exercises/{solution.name} differs from what solutions/{solution.name} generates: "
        "edit the solution, never the exercise, then run `make exercises`"
    )


@pytest.mark.parametrize(
    "solution", SOLUTIONS, ids=[p.name for p in SOLUTIONS]
)
def test_exercise_notebook_fails_only_at_its_todos(
    solution, tmp_path, monkeypatch
):
    monkeypatch.setenv("DNNBOOK_FAST", "1")
    nb = nbs.read(ROOT / "exercises" / solution.name)
    errors, _ = errors_and_text(run_allowing_errors(nb, ROOT / "exercises"))
    assert errors, "the exercise has no TODO left for the learner"
    assert set(errors) == {"NotImplementedError"}, (
        f"unexpected errors besides the TODO stubs: {errors}"
    )


def test_cells_calling_an_unfinished_stub_make_their_names_pending(
    tmp_path,
):
    nb = new_notebook(
        cells=[
            new_code_cell(
                "import dnnbook\ndef make_batch():\n    dnnbook.todo('write make_batch')"
            ),
            new_code_cell(
                "ready = True\nbatch = make_batch()\nsize = len(batch)"
            ),  # raises in the stub
            new_code_cell("print(ready)\ndoubled = 2 * size"),
            new_code_cell("print(doubled)"),
        ]
    )
    errors, text = errors_and_text(run_allowing_errors(nb, tmp_path))
    assert errors == ["NotImplementedError"]
    assert "True" in text  # `ready` was defined before the stub raised
    assert (
        "this cell needs `size`" in text
        and "this cell needs `doubled`" in text
    )


def test_real_mistakes_are_not_hidden_by_the_skip_handler(tmp_path):
    nb = new_notebook(
        cells=[
            new_code_cell("import dnnbook"),
            new_code_cell(
                "dnnbook.todo('define model', defines=['model'])"
            ),
            new_code_cell("print(modle)"),  # a typo, not an unfinished TODO
        ]
    )
    errors, text = errors_and_text(run_allowing_errors(nb, tmp_path))
    assert errors == ["NotImplementedError", "NameError"]
    assert "Not done yet" not in text
