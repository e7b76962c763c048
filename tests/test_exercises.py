"""Exercise twins: generation from solutions, drift, and graceful execution."""

import re

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import (
    new_code_cell,
    new_markdown_cell,
    new_notebook,
    new_output,
)

from dnnbook import exercises as ex
from dnnbook import notebooks as nbs
from dnnbook.kernel import KERNEL_NAME
from dnnbook.todo import defined_names

ROOT = nbs.repo_root()
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def sample_solution():
    nb = new_notebook(
        cells=[
            new_markdown_cell(
                "# Solution: a tiny task\n\nBuild `x`, then square it."
            ),
            new_markdown_cell(
                "> **Worked solution.**", metadata={"tags": ["solution"]}
            ),
            new_code_cell(
                "import dnnbook\nfrom myst_nb import glue\nbase = 40"
            ),
            new_markdown_cell("## Task 1: build x"),
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
            new_code_cell(
                "glue('y', y, display=False)",
                metadata={"tags": ["remove-cell"]},
            ),
            new_code_cell(
                "dnnbook.checks.claim('y is 1764', y == 1764, y=y)",
                metadata={"tags": ["solution-only"]},
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


def run(nb, folder, allow_errors=False):
    """Execute like Jupyter's Run All: by default the first error stops the run."""
    client = NotebookClient(
        nb,
        kernel_name=KERNEL_NAME,
        allow_errors=allow_errors,
        timeout=600,
        resources={"metadata": {"path": str(folder)}},
    )
    return client.execute()


def cell_text(cell):
    """A cell's printed text and displayed plain-text values."""
    text = ""
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            text += out.text
        elif "data" in out:
            text += out.data.get("text/plain", "")
    return text


def test_generated_exercise_replaces_solutions_and_keeps_the_rest():
    exercise = ex.make_exercise(sample_solution(), "tiny.ipynb")
    sources = [c.source for c in exercise.cells]
    assert sources[0].startswith("# Exercise: a tiny task")
    # the banner links to the solution by its title, in plain Markdown
    assert "[Solution: a tiny task](../solutions/tiny.ipynb)" in sources[1]
    assert sources[1].startswith("> ")
    assert sources[2] == (  # ruff-formatted
        "import dnnbook\nfrom myst_nb import glue\n\nbase = 40"
    )
    assert sources[3] == "## Task 1: build x"
    assert sources[4] == (
        "# TODO: set x to base + 2 (two lines of hint)\n"
        "dnnbook.todo(\n"
        '    "set x to base + 2 (two lines of hint)",\n'
        '    defines=["x"],\n'
        '    task="Task 1: build x",\n'
        ")"
    )
    assert "    # TODO: return v squared\n    dnnbook.todo(" in sources[5]
    assert "y = square(x)" in sources[5]
    assert not any("Discussion" in s or "Worked" in s for s in sources), (
        "solution-only markdown leaked"
    )
    assert not any("glue(" in s for s in sources), "a glue cell leaked"
    assert not any("claim(" in s for s in sources), "a claim cell leaked"
    assert not any("x = base + 2" in s or "v * v" in s for s in sources), (
        "solution code leaked"
    )
    assert all(
        c.get("outputs") == [] and c.get("execution_count") is None
        for c in exercise.cells
        if c.cell_type == "code"
    )
    assert "dnnbook" not in exercise.metadata


def test_a_stub_defines_only_the_names_later_code_reads_from_globals():
    # A later function's parameter, a comment or a string that happens to
    # share a removed name is no read of it; a global read inside a later
    # function is.
    nb = sample_solution()
    nb.cells[
        4
    ].source = "# TODO: set x and first\nx = base + 2\nfirst = 1\nlast = 2"
    nb.cells[5].source = (
        "def shift(first):  # the first value\n"
        "    return first + x\n\n"
        "print('last of all', shift(0))"
    )
    stub = ex.make_exercise(nb, "tiny.ipynb").cells[4].source
    assert 'defines=["x"],' in stub, stub
    assert ex.global_reads("def f(a):\n    b = a\n    return b + c") == {
        "c"
    }
    assert ex.global_reads("g = lambda a, k=d: a + e\n") == {"d", "e"}
    assert ex.global_reads("def f(:") is None


def test_a_solution_must_be_titled_as_one():
    nb = sample_solution()
    nb.cells[0].source = "# Exercise: a tiny task"
    with pytest.raises(ValueError, match="Solution: "):
        ex.make_exercise(nb, "tiny.ipynb")


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
    nb = new_notebook(
        cells=[new_markdown_cell("# Solution: bad"), new_code_cell(source)]
    )
    with pytest.raises(ValueError, match=problem):
        ex.make_exercise(nb, "bad.ipynb")


def test_defined_names_covers_common_statements():
    code = (
        "import numpy as np\nfrom keras import layers\na, (b, c) = 1, (2, 3)\nd += 1\n"
        "e: int = 5\ndef f(): pass\nclass G: pass\nfor h in []: pass\n"
        "with open('x') as i: pass\nprint(a)"
    )
    assert defined_names(code) == [
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
    assert defined_names(nested) == [
        "k",
        "m",
        "n",
        "o",
        "p",
        "q",
        "r",
        "s",
    ]


def test_untouched_exercise_runs_to_the_end_and_says_what_waits(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("DNNBOOK_FAST", "1")
    exercise = run(
        ex.make_exercise(sample_solution(), "tiny.ipynb"), tmp_path
    )
    outputs = [cell_text(cell) for cell in exercise.cells]
    assert outputs[4].startswith("✎ TODO: set x to base + 2"), outputs[4]
    # The cell defining y needs x, so it waits (and y with it).
    assert outputs[5].startswith("⏭ Skipped: this cell needs `x`")
    assert "under “Task 1: build x”" in outputs[5]
    assert outputs[6].startswith("⏭ Skipped: this cell needs `y`")
    solution = run(sample_solution(), tmp_path)
    text = "".join(cell_text(cell) for cell in solution.cells)
    assert "y = 1764" in text and "✓ y = 1764" in text


def test_a_finished_todo_runs_and_its_dependents_follow(tmp_path):
    exercise = ex.make_exercise(sample_solution(), "tiny.ipynb")
    exercise.cells[4].source = "x = base + 2"
    done = run(exercise, tmp_path)
    outputs = [cell_text(cell) for cell in done.cells]
    assert outputs[5].startswith("✎ TODO: return v squared")
    exercise.cells[5].source = exercise.cells[5].source.replace(
        "dnnbook.todo(", "return v * v\n    dnnbook.todo("
    )
    outputs = [cell_text(cell) for cell in run(exercise, tmp_path).cells]
    assert "y = 1764" in outputs[5] and "✓ y = 1764" in outputs[6]


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


STUB = "dnnbook.todo("


@pytest.mark.parametrize(
    "solution", SOLUTIONS, ids=[p.name for p in SOLUTIONS]
)
def test_run_all_on_an_untouched_exercise_reaches_the_end(
    solution, monkeypatch
):
    """What a learner's Run All does: no cell may fail, or Jupyter stops there."""
    monkeypatch.setenv("DNNBOOK_FAST", "1")
    nb = run(
        nbs.read(ROOT / "exercises" / solution.name), ROOT / "exercises"
    )
    stubs = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is not None, f"cell {i} never ran"
        text = cell_text(cell)
        if (
            cell.source.lstrip().startswith("# TODO")
            and STUB in cell.source
        ):
            stubs += 1
            assert text.startswith("✎ TODO: "), f"cell {i}: {text[:200]!r}"
        elif "⏭" in text:
            assert re.search(r"TODO under “[^”]+”", text), text[:300]
            assert "Traceback" not in text
    assert stubs >= 3, (
        "the exercise has hardly any TODO left for the learner"
    )


def test_a_typo_in_a_learners_cell_still_raises(monkeypatch):
    monkeypatch.setenv("DNNBOOK_FAST", "1")
    nb = nbs.read(ROOT / "exercises" / "pair_pretraining.ipynb")
    stubs = [
        c for c in nb.cells if c.cell_type == "code" and STUB in c.source
    ]
    # A TODO after the first one, so the skip machinery is already at work.
    stubs[-1].source = "print(x_tset.shape)  # a typo for x_test"
    with pytest.raises(CellExecutionError) as failure:
        run(nb, ROOT / "exercises")
    assert failure.value.ename == "NameError"
    assert "x_tset" in str(failure.value)


def test_cells_calling_an_unfinished_stub_wait_for_it(tmp_path):
    nb = new_notebook(
        cells=[
            new_code_cell(
                "import dnnbook\ndef make_batch():\n"
                "    dnnbook.todo('write make_batch', task='Task 2: batches')"
            ),
            new_code_cell(
                "ready = True\nbatch = make_batch()\nsize = len(batch)"
            ),  # stops in the stub
            new_code_cell("print(ready)\ndoubled = 2 * size"),
            new_code_cell("print(doubled)"),
            new_code_cell("'last value shown'"),
        ]
    )
    outputs = [cell_text(cell) for cell in run(nb, tmp_path).cells]
    assert outputs[1].startswith(
        "⏭ Waiting for the TODO under “Task 2: batches”: finish it"
    )
    assert outputs[2].startswith("⏭ Skipped: this cell needs `size`")
    assert outputs[3].startswith("⏭ Skipped: this cell needs `doubled`")
    assert (
        "last value shown" in outputs[4]
    )  # display of a last value still works


def test_a_pending_name_read_inside_a_function_waits_too(tmp_path):
    nb = new_notebook(
        cells=[
            new_code_cell("import dnnbook"),
            new_code_cell(
                "dnnbook.todo('build model', defines=['model'], task='Task 1')"
            ),
            new_code_cell("def evaluate():\n    return model.evaluate()"),
            new_code_cell("score = evaluate()"),
            new_code_cell("(n := 3)"),  # a walrus as the last expression
            new_code_cell("print(n * 2)"),
        ]
    )
    outputs = [cell_text(cell) for cell in run(nb, tmp_path).cells]
    assert outputs[3].startswith("⏭ Waiting for the TODO under “Task 1”")
    assert "3" in outputs[4] and outputs[5] == "6\n"


def test_real_mistakes_are_not_hidden(tmp_path):
    nb = new_notebook(
        cells=[
            new_code_cell("import dnnbook"),
            new_code_cell(
                "dnnbook.todo('define model', defines=['model'])"
            ),
            new_code_cell("print(modle)"),  # a typo, not an unfinished TODO
        ]
    )
    with pytest.raises(CellExecutionError) as failure:
        run(nb, tmp_path)
    assert failure.value.ename == "NameError"


def test_notebooks_without_stubs_are_left_alone(tmp_path):
    nb = new_notebook(
        cells=[
            new_code_cell("import dnnbook\nx = [1, 2]"),
            new_code_cell("x"),
            new_code_cell("1 / 0"),
        ]
    )
    done = run(nb, tmp_path, allow_errors=True)
    assert "[1, 2]" in str(done.cells[1].outputs)
    assert done.cells[2].outputs[0].ename == "ZeroDivisionError"


def _stub_calls(source):
    """(hint, defines, task) of every ``dnnbook.todo(...)`` call in ``source``."""
    import ast

    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", "") == "todo"
        ):
            keywords = {
                k.arg: ast.literal_eval(k.value) for k in node.keywords
            }
            yield (
                ast.literal_eval(node.args[0]),
                keywords.get("defines", []),
                keywords.get("task", ""),
            )


@pytest.mark.parametrize(
    "solution", SOLUTIONS, ids=[p.name for p in SOLUTIONS]
)
def test_every_name_a_stub_must_define_is_named_in_its_task(solution):
    """A learner who finishes a TODO with the names the task gives must not
    meet "unfinished TODO above" later: every name later cells read is named
    in the task's text or the hint."""
    nb = nbs.read(ROOT / "exercises" / solution.name)
    task_text, checked = "", 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            task_text = (
                cell.source
                if cell.source.lstrip().startswith("#")
                else task_text + "\n" + cell.source
            )
            continue
        for hint, defines, task in _stub_calls(cell.source):
            assert task, f"{solution.name}: a stub names no task"
            assert task in task_text, (
                f"{solution.name}: the stub's task {task!r} is not the heading "
                "above it"
            )
            text = task_text + "\n" + hint
            missing = [
                name
                for name in defines
                if not re.search(rf"\b{re.escape(name)}\b", text)
            ]
            assert not missing, (
                f"{solution.name}, {task!r}: later cells read {missing}, "
                "which neither the task's text nor its hint names"
            )
            checked += 1
    assert checked, f"{solution.name} has no stubs"


PICKS = re.compile(r"idxmax|argmax|\bmax\(|\bmin\(|sort_values|nlargest")


def _base_name(node):
    import ast

    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _statements(source: str):
    """(names written, names read, text) for each statement that sets a value."""
    import ast

    tree = ast.parse(source)
    for node in ast.walk(tree):
        written = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
            )
            for target in targets:
                for part in ast.walk(target):
                    if isinstance(
                        part, (ast.Name, ast.Subscript, ast.Attribute)
                    ):
                        written.append(_base_name(part))
        elif isinstance(node, ast.FunctionDef):  # what calling it returns
            yield {node.name}, set(), ast.get_source_segment(source, node)
            continue
        elif isinstance(node, ast.For):
            written = [
                n.id
                for n in ast.walk(node.target)
                if isinstance(n, ast.Name)
            ]
        elif (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr in ("append", "extend", "update")
        ):
            written = [_base_name(node.value.func.value)]
        else:
            continue
        text = ast.get_source_segment(source, node)
        if isinstance(node, ast.For):
            text = ast.get_source_segment(source, node.iter)
        read = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        yield set(filter(None, written)), read, text


@pytest.mark.parametrize(
    "solution", SOLUTIONS, ids=[p.name for p in SOLUTIONS]
)
def test_solutions_choose_the_best_on_validation_data(solution):
    """Choose on validation, report test once: an assignment that picks a
    ``best…`` model or setting reads no test metric, and the values it compares
    come from validation data (it, or the statements that made its values,
    name a validation metric)."""
    statements = [
        st
        for cell in nbs.code_cells(nbs.read(solution))
        for st in _statements(cell.source)
    ]
    picks = [
        st
        for st in statements
        if any(n.startswith("best") for n in st[0]) and PICKS.search(st[2])
    ]
    if not picks:
        pytest.skip(f"{solution.name} picks no best model or setting")
    for written, read, text in picks:
        assert "test" not in text, (
            f"{solution.name} picks a best model on test data: {text!r}"
        )
        lineage, names = [text], set(read) - written
        for _ in range(4):  # follow the values back a few statements
            makers = [
                st
                for st in statements
                if st[0] & names and st[2] not in lineage
            ]
            lineage += [st[2] for st in makers]
            names = {n for st in makers for n in st[1]} - names
        assert any("val" in t for t in lineage), (
            f"{solution.name}: nothing shows that {text!r} compares "
            "validation metrics"
        )


def test_a_finished_exercise_keeps_the_solutions_code():
    finished = ex.finished_exercise(sample_solution(), "tiny.ipynb")
    sources = [c.source for c in finished.cells]
    assert "x = base + 2" in sources[4] and STUB not in sources[4]
    assert (
        "result = v * v" in sources[5]
        and "BEGIN SOLUTION" not in sources[5]
    )
    # the rest is the exercise: no claims, no glue, no discussion
    stubbed = ex.make_exercise(sample_solution(), "tiny.ipynb")
    assert len(finished.cells) == len(stubbed.cells)
    assert not any("claim(" in s or "glue(" in s for s in sources)


def test_a_finished_exercise_runs_and_checks(tmp_path):
    done = run(
        ex.finished_exercise(sample_solution(), "tiny.ipynb"), tmp_path
    )
    assert "✓ y = 1764" in "".join(cell_text(c) for c in done.cells)


def test_an_exercise_cell_may_not_need_a_solution_only_name():
    nb = sample_solution()
    nb.cells.insert(
        9,
        new_code_cell(
            "report = {'y': y}", metadata={"tags": ["solution-only"]}
        ),
    )
    nb.cells.insert(10, new_code_cell("print(report['y'])"))
    with pytest.raises(ValueError, match=r"cell 10 reads \['report'\]"):
        ex.make_exercise(nb, "tiny.ipynb")
    # defined in a kept cell too: fine (a loop variable or a parameter of
    # the same name is no use of the left-out value either)
    nb.cells[10].source = "report = {}\nprint(report)"
    ex.make_exercise(nb, "tiny.ipynb")
    nb.cells[10].source = "def show(report):\n    print(report)"
    ex.make_exercise(nb, "tiny.ipynb")


def test_exercise_only_cells_close_the_exercise_and_hide_on_the_solution():
    nb = sample_solution()
    nb.cells[-1].metadata["tags"] = ["solution"]  # the takeaways
    nb.cells.insert(
        len(nb.cells) - 1,
        new_markdown_cell(
            "## What do your numbers show?\n\n- Is y what you expected?",
            metadata={"tags": ["exercise-only", "remove-cell"]},
        ),
    )
    exercise = ex.make_exercise(nb, "tiny.ipynb")
    last = exercise.cells[-1]
    assert last.source.startswith("## What do your numbers show?")
    assert "tags" not in last.metadata  # shown on the exercise's page


@pytest.mark.parametrize(
    "solution", SOLUTIONS, ids=[p.name for p in SOLUTIONS]
)
def test_exercises_end_in_questions_and_solutions_in_takeaways(solution):
    """The solution's takeaways state results; the exercise's last cell asks
    what the learner's own numbers show, and states none."""
    exercise = nbs.read(ROOT / "exercises" / solution.name)
    last = [c for c in exercise.cells if c.cell_type == "markdown"][-1]
    assert "Takeaways" not in last.source, (
        f"exercises/{solution.name} ends in the solution's takeaways"
    )
    assert last.source.count("?") >= 3 and "{glue" not in last.source
    source = nbs.read(solution)
    hidden = [
        c
        for c in source.cells
        if "exercise-only" in c.metadata.get("tags", [])
    ]
    assert hidden and all(
        "remove-cell" in c.metadata["tags"] for c in hidden
    ), "an exercise-only cell must be hidden on the solution's page"


@pytest.mark.parametrize(
    "solution", SOLUTIONS, ids=[p.name for p in SOLUTIONS]
)
def test_every_open_question_has_an_answer_cell(solution):
    """A task that asks a question in words gets a cell to answer in (a
    string the self-check reads), not only a place in the learner's head."""
    nb = nbs.read(solution)
    answers = [
        c
        for c in nb.cells
        if c.cell_type == "code"
        and re.search(r"^answer_\w+ = ", c.source, re.M)
    ]
    asked = [
        c
        for c in nb.cells
        if c.cell_type == "markdown"
        and re.search(r"`answer_\w+`", c.source)
    ]
    assert len(answers) == len(asked), (
        f"{solution.name}: {len(asked)} questions name an answer variable, "
        f"{len(answers)} cells write one"
    )
    for cell in asked:
        name = re.search(r"`(answer_\w+)`", cell.source)[1]
        assert any(
            f'check_answer("{name}"' in c.source for c in nbs.code_cells(nb)
        ), f"{solution.name}: {name} is never checked"
