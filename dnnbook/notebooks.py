"""Small helpers to read notebooks the way the runner and the tests need to."""

from __future__ import annotations

import ast
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import nbformat

#: Folders whose notebooks the runner executes and commits with FULL outputs.
EXECUTED_DIRS = ("notebooks", "solutions")
#: Folders of generated exercise twins (never executed in place).
EXERCISE_DIR = "exercises"
#: Cells papermill adds when parameters are passed on the command line.
INJECTED_TAG = "injected-parameters"
#: Where the runner records what it did, inside ``nb.metadata``.
META_KEY = "dnnbook"


def ipython_shell():
    """The running IPython shell (Jupyter, papermill, nbval), or None elsewhere."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def executed_notebooks(root: Path | None = None) -> list[Path]:
    """Chapter and solution notebooks, in a stable order."""
    root = root or repo_root()
    found = []
    for folder in EXECUTED_DIRS:
        found += sorted((root / folder).glob("*.ipynb"))
    return found


def read(path: Path) -> nbformat.NotebookNode:
    # imported here, not at the top: nbformat (its schema validation) takes
    # over a second to import, which every notebook's `import dnnbook` paid
    import nbformat

    return nbformat.read(str(path), as_version=4)


def code_cells(nb) -> list:
    """The code cells that belong to the notebook (papermill's injected cell excluded)."""
    return [
        cell
        for cell in nb.cells
        if cell.cell_type == "code"
        and INJECTED_TAG not in cell.metadata.get("tags", [])
    ]


def code_hash(nb) -> str:
    """sha256 of the code cells' sources: changes whenever any code changes."""
    sources = [cell.source for cell in code_cells(nb)]
    return hashlib.sha256(json.dumps(sources).encode()).hexdigest()


def execution_record(nb) -> dict:
    """What the runner stored about the last execution ({} if never run)."""
    return dict(nb.metadata.get(META_KEY, {}).get("execution", {}))


def title(nb, default: str) -> str:
    """The text of the first level-1 heading, or ``default``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return default


def _is_glue_statement(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        return getattr(stmt.value.func, "id", None) == "glue"
    if (
        isinstance(stmt, ast.For) and not stmt.orelse
    ):  # a loop of glue calls (and the keys)
        glued = [s for s in stmt.body if _is_glue_statement(s)]
        helpers = [s for s in stmt.body if isinstance(s, ast.Assign)]
        return bool(glued) and len(glued) + len(helpers) == len(stmt.body)
    return False


def is_glue_only(source: str) -> bool:
    """True for code whose every statement hands a value to the text: ``glue(...)`` calls,
    or loops of them. Such cells are tagged ``remove-cell``: plumbing, not teaching."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    return bool(body) and all(_is_glue_statement(s) for s in body)


def glued_values(nb) -> dict[str, str]:
    """Glue key -> the text of its value, for every ``glue(...)`` output of ``nb``."""
    return {
        out.metadata["scrapbook"]["name"]: next(iter(out.data.values()), "")
        for cell in code_cells(nb)
        for out in cell.outputs
        if "scrapbook" in out.get("metadata", {})
    }
