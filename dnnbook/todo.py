"""What an exercise notebook runs in place of the learner's unfinished code.

The exercise generator (:mod:`dnnbook.exercises`) replaces solution code with
``dnnbook.todo("hint", defines=[...], task="Task 2: ...")``. In Jupyter (Lab,
classic, VS Code, Colab: anything built on IPython) "Run All" on an untouched
exercise then runs every cell to the end, each with status ok:

* a cell whose TODO is not done says, in one sentence, what to write there;
* a cell that needs a name an unfinished TODO defines says which TODO it waits
  for and does nothing else (no traceback, no half-drawn figure);
* a cell that calls a function whose body is still a TODO stops there and says
  which TODO it waits for;
* every other cell runs normally, and a real mistake (a typo, a wrong shape)
  still raises with its traceback.

This works through an IPython AST transformer that becomes active in the first
cell that contains a stub; notebooks without stubs are never changed.
"""

from __future__ import annotations

import ast
import builtins
import re
import textwrap

from dnnbook.notebooks import ipython_shell

_pending: dict[
    str, tuple[str, str]
] = {}  # name -> (hint, task) of its TODO
_state = {"active": False}
_GUARD = "_dnnbook_todo_guard"


class TodoNotDone(Exception):
    """Raised by :func:`todo`; the cell's guard turns it into a one-line message."""

    def __init__(self, hint: str, task: str = ""):
        super().__init__(hint)
        self.hint, self.task = hint, task

    def _render_traceback_(
        self,
    ):  # outside the guard: a sentence, not a traceback
        return [_waiting(self.hint, self.task)]


def todo(hint: str, defines=(), task: str = "") -> None:
    """Stand-in for code the learner has not written yet.

    The names the removed code defined become pending: cells that need them
    wait instead of failing. Then it stops the running cell (with
    :class:`TodoNotDone`, which the cell's guard reports in one sentence).
    """
    for name in defines:
        _pending[name] = (hint, task)
    _install()
    raise TodoNotDone(hint, task)


# ----------------------------------------------------------------- the messages


def _which(hint: str, task: str) -> str:
    """The TODO, named by its task's heading (or by its hint where there is none)."""
    return f"the TODO under “{task}”" if task else f"the TODO “{hint}”"


def _todo_here(hint: str) -> str:
    return (
        f"✎ TODO: {hint}. Write your code in this cell in place of the "
        "dnnbook.todo(...) call, then run the cell again."
    )


def _waiting(hint: str, task: str) -> str:
    return (
        f"⏭ Waiting for {_which(hint, task)}: finish it and run its cell, "
        "then run this cell again."
    )


def _needs(name: str, hint: str, task: str) -> str:
    return (
        f"⏭ Skipped: this cell needs `{name}`, from {_which(hint, task)}. "
        "Finish that TODO, then run this cell again."
    )


# ------------------------------------------------------------- names in a cell


def defined_names(code: str) -> list[str]:
    """Names that top-level statements of ``code`` bind (assignments, defs, imports, loops)."""
    try:
        tree = ast.parse(textwrap.dedent(code))
    except SyntaxError:
        return []
    return _bound(tree.body)


def _bound(body) -> list[str]:
    names: list[str] = []

    def add_target(node):
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                names.append(sub.id)

    def visit(statements):
        for stmt in statements:
            if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                for target in getattr(
                    stmt, "targets", [getattr(stmt, "target", None)]
                ):
                    add_target(target)
            elif isinstance(
                stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
            ):
                names.append(stmt.name)
                continue  # names inside a function or class are not the cell's
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                names.extend(
                    (alias.asname or alias.name).split(".")[0]
                    for alias in stmt.names
                )
            elif isinstance(stmt, (ast.For, ast.AsyncFor)):
                add_target(stmt.target)
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                for item in stmt.items:
                    if item.optional_vars is not None:
                        add_target(item.optional_vars)
            # Names bound inside loops, branches and try blocks are the cell's too.
            for field in ("body", "orelse", "finalbody"):
                visit(getattr(stmt, field, []))
            for handler in getattr(stmt, "handlers", []):
                visit(handler.body)

    visit(body)
    return list(dict.fromkeys(names))


def global_reads(code: str) -> set[str] | None:
    """Names that ``code`` reads from the notebook's globals, now or when its
    functions run: not a function's parameters, nor the names it binds
    itself. None when the code does not parse."""
    try:
        tree = ast.parse(textwrap.dedent(code))
    except SyntaxError:
        return None
    found: set[str] = set()

    def visit(node, local):
        if isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
        ):
            args = node.args
            body = node.body if isinstance(node.body, list) else [node.body]
            params = {
                a.arg
                for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]
                + [args.vararg, args.kwarg]
                if a
            }
            declared = {
                name
                for stmt in body
                for sub in ast.walk(stmt)
                if isinstance(sub, ast.Global)
                for name in sub.names
            }
            bound = (
                set().union(*(_stored(stmt) for stmt in body)) - declared
            )
            # decorators and defaults run where the function is defined
            for expr in [
                *getattr(node, "decorator_list", []),
                *args.defaults,
                *[d for d in args.kw_defaults if d is not None],
            ]:
                visit(expr, local)
            for stmt in body:
                visit(stmt, local | params | bound)
            return
        if (
            isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)
            and node.id not in local
        ):
            found.add(node.id)
        for child in ast.iter_child_nodes(node):
            visit(child, local)

    visit(tree, frozenset())
    return found


def _needed_now(tree: ast.Module) -> list[str]:
    """Names the cell reads while it runs (not those read later by the functions it defines)."""
    found: list[str] = []

    class Reads(ast.NodeVisitor):
        def visit_Name(self, node):
            if isinstance(node.ctx, ast.Load):
                found.append(node.id)

        def visit_Lambda(self, node):  # defaults run now, the body later
            for expr in [
                *node.args.defaults,
                *[d for d in node.args.kw_defaults if d is not None],
            ]:
                self.visit(expr)

        def visit_FunctionDef(self, node):  # so do decorators
            for expr in node.decorator_list:
                self.visit(expr)
            self.visit_Lambda(node)

        visit_AsyncFunctionDef = visit_FunctionDef

    Reads().visit(tree)
    return list(dict.fromkeys(found))


def _calls_todo(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, (ast.Attribute, ast.Name))
        and getattr(node.func, "attr", getattr(node.func, "id", ""))
        == "todo"
        for node in ast.walk(tree)
    )


# --------------------------------------------------------------- the transformer


# --------------------------------------------------------------- the transformer


class _Guard:
    """Runs one cell's code (called from the transformed cell)."""

    TodoNotDone = TodoNotDone

    def __init__(self, shell, cell: str):
        self.shell, self.cell, self.value = shell, cell, None

    def skip(self, name: str, defines: list[str]) -> None:
        hint, task = _pending[name]
        for other in defines:
            _pending.setdefault(other, (hint, task))
        print(_needs(name, hint, task))

    def _wait(self, hint: str, task: str, here: bool = False) -> None:
        # the names this cell would still have defined wait for that TODO too
        for name in defined_names(self.cell):
            if name not in self.shell.user_ns:
                _pending.setdefault(name, (hint, task))
        print(_todo_here(hint) if here else _waiting(hint, task))

    def stopped(self, error: TodoNotDone) -> None:
        here = f"todo({error.hint!r}" in self.cell
        self._wait(error.hint, error.task, here)

    def missing(self, error: NameError) -> bool:
        """A pending name read inside a function this cell called: wait, do not fail."""
        name = getattr(error, "name", None)
        if name not in _pending or name in self.shell.user_ns:
            return False
        self._wait(*_pending[name])
        return True


def _stored(tree: ast.Module) -> set[str]:
    """Every name the cell binds anywhere: targets, loop and comprehension
    variables, ``except ... as`` and walrus names, imports, definitions."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(
            node.ctx, ast.Load
        ):
            names.add(node.id)
        elif isinstance(
            node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)
        ):
            names.add(node.name or "")
        elif isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        ):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(
                (a.asname or a.name).split(".")[0] for a in node.names
            )
    return names


def _module(body) -> ast.Module:
    return ast.fix_missing_locations(ast.Module(body=body, type_ignores=[]))


_GUARDED = f"""
try:
    pass
except {_GUARD}.TodoNotDone as _dnnbook_todo_error:
    {_GUARD}.stopped(_dnnbook_todo_error)
except NameError as _dnnbook_todo_error:
    if not {_GUARD}.missing(_dnnbook_todo_error):
        raise
"""


class _TodoTransformer(ast.NodeTransformer):
    def __init__(self, shell):
        self.shell = shell

    def visit_Module(self, tree):
        try:
            return self._transform(tree)
        except Exception:  # the machinery must never break a learner's cell
            return tree

    def _transform(self, tree):
        if not _state["active"]:
            if not _calls_todo(tree):
                return tree
            _state["active"] = True
        ns, stored = self.shell.user_ns, _stored(tree)
        missing = [
            name
            for name in _needed_now(tree)
            if name in _pending
            and name not in ns
            and name not in stored
            and not hasattr(builtins, name)
        ]
        ns[_GUARD] = _Guard(self.shell, ast.unparse(tree))
        if missing:
            call = f"{_GUARD}.skip({missing[0]!r}, {_bound(tree.body)!r})"
            return _module(ast.parse(call).body)
        future = [
            s
            for s in tree.body
            if isinstance(s, ast.ImportFrom) and s.module == "__future__"
        ]
        body = [s for s in tree.body if s not in future]
        shown = []
        if body and isinstance(body[-1], ast.Expr):
            # The last value is kept and shown after the guard, at the top level
            # of the cell (where Jupyter displays it), unless a TODO stopped it.
            keep = ast.parse(f"{_GUARD}.value = None").body[0]
            keep.value = body[-1].value
            body[-1] = keep
            shown = ast.parse(f"{_GUARD}.value").body
        guarded = ast.parse(_GUARDED).body[0]
        guarded.body = body or [ast.Pass()]
        return _module([*future, guarded, *shown])


def _install() -> None:
    """Add the transformer to IPython (once); outside IPython nothing happens."""
    shell = ipython_shell()
    if shell is None:
        return
    if not any(
        isinstance(t, _TodoTransformer) for t in shell.ast_transformers
    ):
        shell.ast_transformers.append(_TodoTransformer(shell))
    # A stub may already sit in the cell that imported us (or an earlier one).
    history = shell.user_ns.get("_ih", [])
    if any(re.search(r"\btodo\(", source) for source in history):
        _state["active"] = True


_install()
