"""Exercise notebooks generated from their solution twins, and the TODO stubs.

The solution notebook in ``solutions/`` is the single source. Mark what learners
must write in one of two ways:

* a **code cell tagged** ``solution``: the whole cell is the learner's work. A
  leading ``# TODO: ...`` comment (and the comment lines right below it) stays
  in the exercise as the hint;
* a **region** inside any code cell, between a line ``# BEGIN SOLUTION`` (or
  ``# BEGIN SOLUTION: hint``, whose hint may go on in the comment lines right
  below it) and a line ``# END SOLUTION``.

A **markdown cell tagged** ``exercise-only`` (the closing questions that ask the
learner what their numbers show) is the opposite: tag it ``remove-cell`` too, so
that the solution's page hides it; the exercise keeps it, without those tags.

A **markdown cell tagged** ``solution`` (discussion of results, the notice that
opens a solution page) is left out of the exercise, and so is a **code cell
tagged** ``solution-only`` (the claim checks about the solution's own numbers,
which a learner's different numbers must not trip); and so are the code cells
that the book hides (tagged ``remove-cell``: ``glue`` calls and their import). The solution's title, "Solution: …",
becomes "Exercise: …", and a banner linking to the solution is added under it.
Everything else (questions, set-up, data loading, self-checks) is copied
unchanged; outputs and execution records are cleared. Code cells are formatted
with ruff, like every notebook of the course.

Solution code is replaced by ``# TODO: hint`` and a call to
:func:`dnnbook.todo.todo` that names the task (the heading above the cell) and
the names the removed code defined: in Jupyter, that cell and the cells that
need those names then say what they wait for instead of failing (see
:mod:`dnnbook.todo`, which notebooks import; this module is a build tool).

``finished_exercise`` builds the same twin with the solution's code left in
place of every TODO: what a learner who finished every task runs (the tests run
it). Generation fails when an exercise cell reads a name that only a cell left
out of the exercise defines: such a cell would fail for every learner.

``make exercises`` (``python -m dnnbook.exercises``) writes every twin;
``python -m dnnbook.exercises --check`` fails if any committed twin differs.
"""

from __future__ import annotations

import argparse
import copy
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat

from dnnbook import notebooks as nbs
from dnnbook.todo import defined_names, global_reads

SOLUTION_TAG = "solution"
#: A code cell shown on the solution's page but left out of the exercise (the
#: claim checks about the solution's own numbers).
SOLUTION_ONLY_TAG = "solution-only"
#: A markdown cell for the exercise only (tagged ``remove-cell`` as well, so
#: that the solution's page hides it).
EXERCISE_ONLY_TAG = "exercise-only"
BANNER_TAG = "exercise-banner"
BEGIN = re.compile(
    r"^(?P<indent>\s*)# BEGIN SOLUTION(?::\s*(?P<hint>.*\S))?\s*$"
)
END = re.compile(r"^\s*# END SOLUTION\s*$")
TODO_LINE = re.compile(r"^\s*# TODO:")
DEFAULT_HINT = "write the code for this step"
SOLUTION_TITLE = "# Solution: "
EXERCISE_TITLE = "# Exercise: "
#: Code lines fit the book's column (the ruff line length in pyproject.toml).
LINE_LENGTH = 76
HEADING = re.compile(r"^#{2,4} (.+)$", re.MULTILINE)

# ----------------------------------------------------------------------- generator


def _read_later(name: str, later: list[str]) -> bool:
    """Does any of the code in ``later`` read ``name`` from the globals?"""
    for source in later:
        reads = global_reads(source)
        if reads is None:  # not parseable on its own: any mention counts
            if re.search(rf"\b{re.escape(name)}\b", source):
                return True
        elif name in reads:
            return True
    return False


def _stub(
    indent: str, hint: str, removed: str, task: str, later: list[str]
) -> list[str]:
    # Only the names that code after the stub reads: not the solution's
    # helpers, nor a later function's parameter that shares a name.
    defines = [
        name for name in defined_names(removed) if _read_later(name, later)
    ]
    width = LINE_LENGTH - len(indent)
    comment = textwrap.wrap(
        f"TODO: {hint}", width - 2, subsequent_indent="  "
    )

    def literal(text: str, prefix: str = "") -> list[str]:
        """``text`` as adjacent string literals that each fit the line."""
        pieces = textwrap.wrap(
            text, width - 8 - len(prefix), drop_whitespace=False
        )
        lines = [f"{indent}    {repr(piece)}" for piece in pieces]
        if prefix and len(lines) > 1:
            return (
                [f"{indent}    {prefix}("]
                + ["    " + line for line in lines]
                + [f"{indent}    ),"]
            )
        lines[0] = lines[0].replace(
            f"{indent}    ", f"{indent}    {prefix}", 1
        )
        lines[-1] += ","
        return lines

    args = literal(hint)
    if defines:
        args.append(f"{indent}    defines={defines!r},")
    if task:
        args += literal(task, "task=")
    return (
        [f"{indent}# {line}" for line in comment]
        + [f"{indent}dnnbook.todo("]
        + args
        + [f"{indent})"]
    )


def _strip_regions(
    source: str,
    where: str,
    task: str = "",
    later: list[str] = (),
    finished: bool = False,
) -> str:
    outside = re.sub(
        r"# BEGIN SOLUTION.*?# END SOLUTION", "", source, flags=re.S
    )
    out, region, hint, indent = [], None, "", ""
    for line in source.splitlines():
        begin = BEGIN.match(line)
        if region is None and begin:
            region, hint, indent = (
                [],
                begin["hint"] or DEFAULT_HINT,
                begin["indent"],
            )
            begin_hint = bool(begin["hint"])
        elif region is not None and END.match(line):
            out += (
                region
                if finished
                else _stub(
                    indent, hint, "\n".join(region), task, [*later, outside]
                )
            )
            region = None
        elif region is not None:
            if BEGIN.match(line):
                raise ValueError(f"{where}: nested '# BEGIN SOLUTION'")
            if not region and begin_hint and line.lstrip().startswith("#"):
                hint += " " + line.lstrip("# ").strip()  # the hint goes on
                continue
            begin_hint = False
            region.append(line)
        else:
            if END.match(line):
                raise ValueError(
                    f"{where}: '# END SOLUTION' without a BEGIN"
                )
            out.append(line)
    if region is not None:
        raise ValueError(f"{where}: '# BEGIN SOLUTION' without an END")
    return "\n".join(out)


def _stub_cell(source: str, task: str = "", later: list[str] = ()) -> str:
    lines = source.splitlines()
    hints = []
    if lines and TODO_LINE.match(
        lines[0]
    ):  # "# TODO: ..." and the comment lines below it
        hints.append(lines.pop(0).split("# TODO:", 1)[1].strip())
        while lines and lines[0].lstrip().startswith("#"):
            hints.append(lines.pop(0).lstrip("# ").strip())
    hint = " ".join(hints) or DEFAULT_HINT
    return "\n".join(_stub("", hint, "\n".join(lines), task, list(later)))


def banner(solution_name: str, title: str) -> str:
    """Plain Markdown, so that it renders the same in Jupyter and in the book."""
    return (
        "> **How this exercise works.** Write your code where a cell says `# TODO`,\n"
        "> run the self-check under each task, and compare with\n"
        f"> [{title}](../solutions/{solution_name}) when you are done. Cells that need\n"
        "> an unfinished TODO say so and skip."
    )


def _titles(nb) -> tuple[str, str]:
    """(solution title, exercise title) from the solution's first heading."""
    first = nb.cells[0].source if nb.cells else ""
    heading = first.splitlines()[0] if first else ""
    if not heading.startswith(SOLUTION_TITLE):
        raise ValueError(
            f"a solution notebook must open with '{SOLUTION_TITLE}…', found {heading!r}"
        )
    name = heading[len(SOLUTION_TITLE) :].strip()
    return f"Solution: {name}", f"Exercise: {name}"


def ruff_format(source: str) -> str:
    """``source`` as ``ruff format`` writes it, with the project's settings."""
    if not source.strip():
        return source
    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.exists():
        raise SystemExit(
            f"ruff is missing ({ruff}): run `make install`, which installs the "
            "pinned requirements, before generating exercises"
        )
    done = subprocess.run(
        [
            str(ruff),
            "format",
            "--quiet",
            "--stdin-filename",
            "cell.py",
            "-",
        ],
        input=source,
        capture_output=True,
        text=True,
        cwd=nbs.repo_root(),  # so that pyproject.toml's settings apply
    )
    if done.returncode != 0:
        raise ValueError(
            f"ruff could not format this cell:\n{source}\n{done.stderr}"
        )
    return done.stdout.rstrip("\n")


def make_exercise(solution, name: str, finished: bool = False):
    """The exercise twin of a solution notebook (a new notebook; the input is
    unchanged). ``finished=True``: the solution's code stays in place of
    every TODO, as a learner who did every task would have it."""
    nb = copy.deepcopy(solution)
    nb.metadata.pop(nbs.META_KEY, None)
    solution_title, exercise_title = _titles(nb)
    nb.cells[0].source = nb.cells[0].source.replace(
        "# " + solution_title, "# " + exercise_title, 1
    )
    kept = [
        (i, cell.source)
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and "remove-cell" not in cell.metadata.get("tags", [])
        and SOLUTION_ONLY_TAG not in cell.metadata.get("tags", [])
        and not nbs.is_glue_only(cell.source)
    ]

    def after(index: int) -> list[str]:
        """The code of the exercise's cells below cell ``index``, one per cell."""
        return [source for i, source in kept if i > index]

    cells, task = [], ""
    for i, cell in enumerate(nb.cells):
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "markdown" and SOLUTION_TAG in tags:
            continue
        if cell.cell_type == "markdown" and EXERCISE_ONLY_TAG in tags:
            shown = [
                t
                for t in tags
                if t not in (EXERCISE_ONLY_TAG, "remove-cell")
            ]
            cell.metadata.pop("tags")
            if shown:
                cell.metadata["tags"] = shown
        if cell.cell_type == "markdown":  # the task a stub belongs to
            headings = HEADING.findall(cell.source)
            task = headings[-1].strip() if headings else task
        if cell.cell_type == "code" and (
            nbs.is_glue_only(cell.source)
            or "remove-cell" in tags
            or SOLUTION_ONLY_TAG in tags
        ):
            continue  # plumbing, or claims, for the solution's page
        if cell.cell_type == "code":
            if SOLUTION_TAG in tags:
                if not finished:
                    cell.source = _stub_cell(cell.source, task, after(i))
                cell.metadata.pop("tags")
                if len(tags) > 1:
                    cell.metadata["tags"] = [
                        t for t in tags if t != SOLUTION_TAG
                    ]
            else:
                cell.source = _strip_regions(
                    cell.source,
                    f"{name} cell {i}",
                    task,
                    after(i),
                    finished,
                )
            cell.source = ruff_format(cell.source)
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    _check_names(solution, name)
    note = nbformat.v4.new_markdown_cell(
        banner(name, solution_title), metadata={"tags": [BANNER_TAG]}
    )
    note["id"] = "exercise-banner"
    insert_at = 1 if cells and cells[0].cell_type == "markdown" else 0
    cells.insert(insert_at, note)
    nb.cells = cells
    return nb


def finished_exercise(solution, name: str):
    """The exercise as a learner who did every task has it."""
    return make_exercise(solution, name, finished=True)


def _left_out(cell) -> bool:
    """A code cell the exercise leaves out (claims, glue, hidden plumbing)."""
    tags = cell.metadata.get("tags", [])
    return (
        SOLUTION_ONLY_TAG in tags
        or "remove-cell" in tags
        or nbs.is_glue_only(cell.source)
    )


def _reads(source: str) -> set[str]:
    """Names a cell reads that it does not bind anywhere itself."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    bound = set(defined_names(source))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(
            node.ctx, ast.Load
        ):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    } - bound


def _check_names(solution, name: str) -> None:
    """Fail when an exercise cell reads a name that only left-out cells define."""
    cells = [c for c in solution.cells if c.cell_type == "code"]
    kept_defined, left_out_defined = set(), set()
    for cell in cells:
        names = set(defined_names(cell.source))
        (left_out_defined if _left_out(cell) else kept_defined).update(
            names
        )
    only_left_out = left_out_defined - kept_defined
    for index, cell in enumerate(solution.cells):
        if cell.cell_type != "code" or _left_out(cell):
            continue
        missing = sorted(_reads(cell.source) & only_left_out)
        if missing:
            raise ValueError(
                f"{name} cell {index} reads {missing}, which only cells left "
                "out of the exercise (solution-only, glue or remove-cell) "
                "define: define them in a cell the exercise keeps"
            )


def render(nb) -> str:
    return nbformat.writes(nb) + "\n"


def exercise_text(solution_path: Path) -> str:
    return render(
        make_exercise(nbs.read(solution_path), solution_path.name)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dnnbook.exercises",
        description="Generate exercises/ from solutions/.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; fail if a committed exercise differs",
    )
    args = parser.parse_args(argv)
    root = nbs.repo_root()
    stale = []
    solutions = sorted((root / "solutions").glob("*.ipynb"))
    for solution in solutions:
        target = root / nbs.EXERCISE_DIR / solution.name
        text = exercise_text(solution)
        if target.exists() and target.read_text() == text:
            continue
        if args.check:
            stale.append(target.relative_to(root).as_posix())
        else:
            target.write_text(text)
            print(f"wrote {target.relative_to(root)}")
    if stale:
        print(f"out of date (run `make exercises`): {', '.join(stale)}")
        return 1
    print(f"{len(solutions)} exercise notebook(s) up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
