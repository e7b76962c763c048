"""The seed survey: every claim of every notebook, run FULL on several seeds.

A claim that holds on the seed it was written for is a statement about one run.
The survey re-runs each notebook FULL on each of :data:`SURVEY_SEEDS` with
``DNNBOOK_CLAIMS=record`` (a false claim prints ✗ and the run goes on) and keeps,
per (seed, notebook), every claim's outcome and every glued value::

    python -m dnnbook.runner seeds [--seeds 42 1001 ...] [NOTEBOOK ...]
    python -m dnnbook.runner robustness      # gather into book/robustness.*

Each (seed, notebook) result is written to ``_build/seeds/<seed>/<notebook>.json``
as soon as it is done, and a re-run skips the results whose notebook code has not
changed since, so a survey that a session cut short resumes where it stopped.
The seeds are chosen once, here, and never by their results.

The committed seed is not re-run: the committed notebooks are its FULL run
(``make run`` stops on a false claim, and a test keeps their outputs in step
with their code), so its result is read from their outputs by
:func:`committed_result`.
"""

from __future__ import annotations

import ast
import json
import re
import tempfile
from pathlib import Path

from dnnbook import notebooks as nbs
from dnnbook.checks import CLAIMS_LOG, CLAIMS_MODE
from dnnbook.modes import scoped_env

# The committed seed first; the others were fixed before any survey ran.
SURVEY_SEEDS = (42, 1001, 2002, 3003)
COMMITTED_SEED = SURVEY_SEEDS[0]  # the SEED of every notebook's parameters
SURVEY_DIR = Path("_build") / "seeds"
SURVEY_JSON = Path("book") / "robustness.json"
SURVEY_PAGE = Path("book") / "robustness.md"


def _string(node: ast.AST) -> str | None:
    """A claim's statement as written: a string literal's value, or an
    f-string's template, each replacement field shown as ``{expression}``
    (its format spec dropped)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value
            if isinstance(part, ast.Constant)
            else "{" + ast.unparse(part.value) + "}"
            for part in node.values
        )
    return None


_FIELD = re.compile(r"\{[^{}]*\}")


def _pattern(statement: str) -> str:
    """A regular expression for the texts a statement prints: a template's
    fields match any text."""
    return "(?:.+?)".join(re.escape(p) for p in _FIELD.split(statement))


def prints(statement: str, text: str) -> bool:
    """Whether ``text`` is what the claim written as ``statement`` prints."""
    return re.fullmatch(_pattern(statement), text, re.S) is not None


def shown(statement: str, texts: list[str]) -> str:
    """How the page shows a claim: as it printed when every seed printed the
    same text, else its template with each field as …"""
    if len(set(texts)) == 1:
        return texts[0]
    return _FIELD.sub("…", statement)


def claim_statements(nb) -> list[str]:
    """The statements of the ``claim(...)`` calls in ``nb``'s code, in order.

    A claim is identified by its notebook and its statement; a notebook whose
    two claims share a statement would make them indistinguishable.
    """
    found = []
    for cell in nbs.code_cells(nb):
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                # claim(...) or checks.claim(...)
                and "claim"
                in (
                    getattr(node.func, "id", None),
                    getattr(node.func, "attr", None),
                )
                and node.args
            ):
                statement = _string(node.args[0])
                if statement is not None:
                    found.append(statement)
    return found


def result_path(out_dir: Path, seed: int, rel: Path) -> Path:
    return out_dir / str(seed) / rel.with_suffix(".json")


def is_done(path: Path, code_sha256: str) -> bool:
    """Whether a survey result exists for the notebook's current code."""
    if not path.is_file():
        return False
    return json.loads(path.read_text()).get("code_sha256") == code_sha256


def has_result(out_dir: Path, seed: int, path: Path, rel: Path) -> bool:
    """Whether the survey holds ``seed``'s result for the notebook's code.

    The committed seed's comes from the committed notebook itself.
    """
    if seed == COMMITTED_SEED and committed_result(path, rel) is not None:
        return True
    return is_done(
        result_path(out_dir, seed, rel), nbs.code_hash(nbs.read(path))
    )


def _claim_numbers(detail: str) -> dict[str, str]:
    """``(a = 1, b = 0.5)``, as claim() prints its numbers, back to a dict."""
    inner = detail.strip()
    if not (inner.startswith("(") and inner.endswith(")")):
        return {}
    parts = re.split(r", (?=\w+ = )", inner[1:-1])
    return dict(part.split(" = ", 1) for part in parts if " = " in part)


def committed_result(path: Path, rel: Path) -> dict | None:
    """The committed seed's result, read from the committed notebook.

    Its outputs are a FULL run on :data:`COMMITTED_SEED` in which every claim
    held (``make run`` stops otherwise) and printed ``✓ statement (numbers)``.
    None when the outputs are not a FULL run of the current code.
    """
    nb = nbs.read(path)
    record = nb.metadata.get(nbs.META_KEY, {}).get("execution", {})
    code = nbs.code_hash(nb)
    if record.get("mode") != "FULL" or record.get("code_sha256") != code:
        return None
    lines = [
        line
        for cell in nbs.code_cells(nb)
        for out in cell.outputs
        if out.get("output_type") == "stream"
        for line in out.get("text", "").splitlines()
    ]
    claims = []
    for statement in claim_statements(nb):
        # ✓ statement as printed, then its numbers in brackets, if any
        line = re.compile(
            f"✓ ({_pattern(statement)})((?: \\(.*\\))?)$", re.S
        )
        matches = list(filter(None, map(line.match, lines)))
        # a template may print several texts (a claim called in a loop)
        for match in matches if _FIELD.search(statement) else matches[:1]:
            claims.append(
                {
                    "statement": match.group(1),
                    "held": True,
                    "numbers": _claim_numbers(match.group(2)),
                }
            )
    return {
        "seed": COMMITTED_SEED,
        "notebook": rel.as_posix(),
        "code_sha256": code,
        "duration_s": record.get("duration_s"),
        "error": None,
        "claims": claims,
        "glued": nbs.glued_values(nb),
    }


def run_one(
    path: Path, rel: Path, seed: int, out_dir: Path, execute, env_info
):
    """Run one notebook FULL on one seed in record mode; write its result."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "claims.jsonl"
        error, record, glued = None, {}, {}
        try:
            with scoped_env(
                **{CLAIMS_MODE: "record", CLAIMS_LOG: str(log)}
            ):
                executed = Path(tmp) / path.name
                record = execute(
                    path,
                    executed,
                    False,
                    env_info,
                    failed_dir=out_dir / str(seed) / "failed",
                    parameters={"SEED": seed},
                )
            glued = nbs.glued_values(nbs.read(executed))
        except Exception as exc:  # a failing notebook is a result too
            error = (
                str(exc).strip().splitlines()[-1][:500]
                if str(exc).strip()
                else type(exc).__name__
            )
        claims = (
            [json.loads(line) for line in log.read_text().splitlines()]
            if log.exists()
            else []
        )
    result = {
        "seed": seed,
        "notebook": rel.as_posix(),
        "code_sha256": nbs.code_hash(nbs.read(path)),
        "duration_s": record.get("duration_s"),
        "error": error,
        "claims": claims,
        "glued": glued,
    }
    target = result_path(out_dir, seed, rel)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        json.dumps(result, indent=1, ensure_ascii=False) + "\n"
    )
    return result


def gather(
    out_dir: Path,
    notebooks: list[Path],
    root: Path,
    previous: dict | None = None,
) -> dict:
    """Every surveyed result for the notebooks' current code, by notebook.

    Each (seed, notebook) result comes from the first of: the committed
    notebook itself (the committed seed), a result file in ``out_dir``, and
    ``previous`` (the committed survey, so that results survey runs on other
    machines gathered stay); each only if made by the notebook's current code.
    """
    survey = {"seeds": list(SURVEY_SEEDS), "notebooks": {}}
    for path in notebooks:
        rel = path.relative_to(root)
        code = nbs.code_hash(nbs.read(path))
        before = (
            (previous or {}).get("notebooks", {}).get(rel.as_posix(), {})
        )
        kept = (
            {run["seed"]: run for run in before.get("runs", [])}
            if before.get("code_sha256") == code
            else {}
        )
        runs = []
        for seed in SURVEY_SEEDS:
            result = result_path(out_dir, seed, rel)
            committed = (
                committed_result(path, rel)
                if seed == COMMITTED_SEED
                else None
            )
            if committed is not None:
                runs.append(committed)
            elif is_done(result, code):
                runs.append(json.loads(result.read_text()))
            elif seed in kept:
                runs.append(kept[seed])
        survey["notebooks"][rel.as_posix()] = {
            "code_sha256": code,
            "runs": runs,
        }
    return survey


def survey_files(
    root: Path, out_dir: Path | None = None
) -> dict[Path, str]:
    """book/robustness.json and book/robustness.md as they should read now.

    Gathers ``out_dir`` (default ``_build/seeds``) into the committed survey.
    """
    committed = root / SURVEY_JSON
    previous = (
        json.loads(committed.read_text()) if committed.is_file() else None
    )
    gathered = gather(
        root / SURVEY_DIR if out_dir is None else out_dir,
        nbs.executed_notebooks(root),
        root,
        previous,
    )
    return {
        SURVEY_JSON: json.dumps(gathered, indent=1, ensure_ascii=False)
        + "\n",
        SURVEY_PAGE: robustness_markdown(gathered, root),
    }


def _number(text) -> float | None:
    try:
        return float(str(text).strip().rstrip("%"))
    except ValueError:
        return None


def _range(values: list) -> str:
    numbers = [n for n in (_number(v) for v in values) if n is not None]
    if not numbers:
        return ""
    low, high = min(numbers), max(numbers)
    return f"{low:.4g}" if low == high else f"{low:.4g} – {high:.4g}"


def _groups(statement: str, runs: list[dict]) -> list[list[dict]]:
    """The outcomes of one claim call: one group, or one per printed text
    when a run printed several (a claim called in a loop)."""
    per_run = [
        [r for r in run["claims"] if prints(statement, r["statement"])]
        for run in runs
    ]
    outcomes = [r for found in per_run for r in found]
    if all(len(found) <= 1 for found in per_run):
        return [outcomes]
    texts = dict.fromkeys(r["statement"] for r in outcomes)
    return [[r for r in outcomes if r["statement"] == t] for t in texts]


def claim_rows(statements: list[str], runs: list[dict]) -> list[dict]:
    """Per claim: on how many surveyed seeds it held, and its numbers' ranges."""
    rows = []
    for statement in statements:
        for outcomes in _groups(statement, runs):
            names = list(
                dict.fromkeys(k for r in outcomes for k in r["numbers"])
            )
            rows.append(
                {
                    "statement": shown(
                        statement, [r["statement"] for r in outcomes]
                    ),
                    "seeds": len(outcomes),
                    "held": sum(r["held"] for r in outcomes),
                    "numbers": {
                        name: _range(
                            [r["numbers"].get(name) for r in outcomes]
                        )
                        for name in names
                    },
                }
            )
    return rows


def glued_rows(runs: list[dict]) -> list[tuple[str, str]]:
    """Per glued value: its range across the seeds (numbers) or how many
    different texts the seeds gave (verdicts chosen by the code)."""
    keys = dict.fromkeys(k for run in runs for k in run.get("glued", {}))
    rows = []
    for key in keys:
        values = [
            run["glued"][key] for run in runs if key in run.get("glued", {})
        ]
        numbers = [_number(v) for v in values]
        if all(n is not None for n in numbers):
            span = _range(values)
        else:
            distinct = len(set(values))
            span = (
                "one seed so far"
                if len(values) == 1
                else f"the same text on all {len(values)} seeds"
                if distinct == 1
                else f"{distinct} different texts on {len(values)} seeds"
            )
        rows.append((key, span))
    return rows


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def robustness_markdown(survey: dict, root: Path) -> str:
    """The page: a summary line, then each notebook's claims across seeds."""
    seeds = survey["seeds"]
    sections, every, total, unsurveyed = [], 0, 0, 0
    for rel, entry in survey["notebooks"].items():
        nb = nbs.read(root / rel)  # read once: its claims and its title
        rows = claim_rows(claim_statements(nb), entry["runs"])
        surveyed = sorted(run["seed"] for run in entry["runs"])
        errors = [run for run in entry["runs"] if run.get("error")]
        lines = [
            f"## {nbs.title(nb, Path(rel).stem)}",
            "",
            f"{{doc}}`The notebook <../{Path(rel).with_suffix('').as_posix()}>`"
            " was surveyed on seeds "
            + (", ".join(map(str, surveyed)) or "none yet")
            + ".",
        ]
        lines += [
            f"- seed {run['seed']} stopped early: {_cell(run['error'])}"
            for run in errors
        ]
        lines += [
            "",
            "| Claim | Held | Its numbers across the seeds |",
            "|---|---|---|",
        ]
        for row in rows:
            total += 1
            if row["seeds"] < len(seeds):
                unsurveyed += 1
                held = f"{row['held']} of {row['seeds']} (not yet surveyed on every seed)"
            else:
                every += row["held"] == row["seeds"]
                held = f"{row['held']} of {row['seeds']}"
            numbers = "; ".join(
                f"{name} {span}"
                for name, span in row["numbers"].items()
                if span
            )
            lines.append(
                f"| {_cell(row['statement'])} | {held} | {_cell(numbers)} |"
            )
        glued = glued_rows(entry["runs"])
        if glued:
            lines += [
                "",
                ":::{dropdown} Its glued values across the seeds",
                "| Value | Across the seeds |",
                "|---|---|",
                *(f"| `{key}` | {_cell(span)} |" for key, span in glued),
                ":::",
            ]
        sections.append("\n".join(lines))
    head = [
        "# How robust are these conclusions?",
        "",
        "Every sentence of this book that depends on a run is backed by a claim that the run checks. The committed",
        "notebooks pass them all on the committed seed; this page shows how they fare on others. Each notebook was run",
        "FULL once per seed, with every claim recorded instead of stopping the run (`make seeds`); the seeds were",
        f"chosen once, before any survey ran: {', '.join(map(str, seeds))}. The committed seed's results are read",
        "from the committed notebooks, which are its FULL run. Under each table, a dropdown gives every glued value (the",
        "numbers and verdicts the text prints) across the seeds.",
        "",
        f"**{every} of {total} claims held on every one of the {len(seeds)} seeds**"
        + (
            f"; {unsurveyed} not yet surveyed on every seed."
            if unsurveyed
            else "."
        ),
        "",
    ]
    return "\n".join(head) + "\n" + "\n\n".join(sections) + "\n"
