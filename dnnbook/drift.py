"""The drift check: do the committed outputs still reproduce?

``python -m dnnbook.runner drift [NOTEBOOK ...]`` (``make drift``) re-executes
notebooks into ``_build/drift/``, never over the committed ones, and compares
every glued value of the re-run with the committed value. This module holds
the comparison and the report; the runner does the executing.

Tolerances are declared once, by kind of value, in :data:`TOLERANCES`; the
kind comes from the glue key's name (:func:`kind_of`). A value that needs its
own tolerance gets a row in :data:`OVERRIDES`, keyed by glue key.
"""

from __future__ import annotations

import ast
import json
import math
import re
from pathlib import Path
from typing import NamedTuple

from dnnbook import notebooks as nbs


class Tolerance(NamedTuple):
    absolute: float | None = None  # |re-run - committed| at most this
    relative: float | None = None  # |re-run / committed - 1| at most this
    compared: bool = True  # False: reported, never judged (times)
    why: str = ""


#: One tolerance per kind of value. Accuracies move by a point or two between
#: runs of the same seed (TensorFlow's CPU threads are not bit-reproducible).
TOLERANCES: dict[str, Tolerance] = {
    "accuracy": Tolerance(absolute=0.02, why="2 points"),
    "loss": Tolerance(relative=0.25, why="25% relative"),
    "time": Tolerance(compared=False, why="times depend on the machine"),
    "count": Tolerance(absolute=0, why="counts must match exactly"),
    "text": Tolerance(absolute=0, why="glued words must match"),
    "number": Tolerance(relative=0.15, why="15% relative"),
}

#: Per-value exceptions: glue key -> tolerance (keep the reason in ``why``).
OVERRIDES: dict[str, Tolerance] = {
    "clip_max_grad_norm_unclipped": Tolerance(
        compared=False,
        why="a spike's size varies by orders of magnitude between re-runs; "
        "the notebook's claim checks that one happened",
    ),
    **{
        f"clip_paired_{end}": Tolerance(
            absolute=0.03, why="a difference of accuracies: 3 points"
        )
        for end in ("low", "high")
    },
    **{
        f"reuse_bn_gain_{end}": Tolerance(
            absolute=0.03, why="a difference of accuracies: 3 points"
        )
        for end in ("low", "high")
    },
    **{
        f"reuse_bn_{what}_{end}": Tolerance(
            compared=False,
            why="set by where early stopping ends each run, which a "
            "point of validation accuracy can move by many epochs",
        )
        for what in ("moved", "epochs")
        for end in ("low", "high")
    },
    **{
        key: Tolerance(
            compared=False,
            why="float32 rounding noise (about 1e-6), not a signal",
        )
        for key in ("monitor_sig_kept", "spread_kept_sigmoid_glorot")
    },
    "latency_saving": Tolerance(
        compared=False, why="a share of time: it depends on the machine"
    ),
    "latency_compiled_verdict": Tolerance(
        compared=False,
        why="a verdict on two timings: it depends on the machine",
    ),
    **{
        key: Tolerance(
            compared=False,
            why="a ratio of times: it depends on the machine",
        )
        for key in ("cifar10_mc_cost_ratio", "cifar10_mc_pass_cost")
    },
    "cifar10_rankings": Tolerance(
        compared=False,
        why="sentences that quote every run's mean; the verdicts in them "
        "follow the glued spreads and gains, which are compared",
    ),
    "prac_accum_error": Tolerance(
        compared=False,
        why="float32 rounding noise (about 1e-6 of a step), not a signal",
    ),
    "prac_best_rate": Tolerance(
        compared=False,
        why="the lowest point of a noisy range test can move to a "
        "neighbouring rate between re-runs",
    ),
    **{
        key: Tolerance(
            absolute=1.5,
            why="one epoch's change of a mean accuracy, in points: 1.5 "
            "points (the verdict it sets is compared)",
        )
        for key in ("sched_piecewise_jump_pts", "sched_constant_gain_pts")
    },
    **{
        key: Tolerance(
            absolute=2.0,
            why="a difference of accuracies in points: 2 points",
        )
        for key in (
            "sched_power_gain_pts",
            "sched_top_range_pts",
            "sched_late_margin_pts",
        )
    },
    "reg_dropout_change_pts": Tolerance(
        absolute=2.0, why="a difference of accuracies in points: 2 points"
    ),
    "reg_mc_acc_change_pts": Tolerance(
        absolute=2.0, why="a difference of accuracies in points: 2 points"
    ),
    "reg_max_norm_gap_pts": Tolerance(
        absolute=2.0, why="a difference of accuracies in points: 2 points"
    ),
    **{
        key: Tolerance(
            absolute=5.0,
            why="a difference of accuracies on two tenths of the test images "
            "(1,000 images each), in points: 5 points (the verdict it sets is "
            "compared)",
        )
        for key in ("reg_flag_gap_min_pts", "reg_flag_gap_max_pts")
    },
    "reg_flag_noise_max_pts": Tolerance(
        absolute=1.0,
        why="two bootstrap standard errors of that difference: they move "
        "only with the accuracies, by under a point",
    ),
    **{
        key: Tolerance(
            absolute=1.0,
            why="a mean over 3 runs of the epoch of the lowest validation "
            "loss: one run's lowest moving by 3 epochs moves it by 1",
        )
        for key in ("reg_lowest_epoch_none", "reg_lowest_epoch_dropout")
    },
    **{
        key: Tolerance(
            compared=False,
            why="a standard deviation over a few runs moves by half of "
            "itself between re-runs; the verdict it sets is compared",
        )
        for key in (
            "reg_max_norm_yardstick_pts",
            "reg_dropout_yardstick_pts",
            "reg_alpha_yardstick_pts",
            "reg_mc_acc_noise_pts",
            "sched_power_yardstick_pts",
            "sched_top_yardstick_pts",
            "sched_late_yardstick_pts",
        )
    },
    "monitor_overhead": Tolerance(
        compared=False, why="a share of time: it depends on the machine"
    ),
    "monitor_relu_spread": Tolerance(
        relative=0.3,
        why="30% relative: a maximum over every record and layer moves "
        "more than a median",
    ),
    **{
        f"cifar10_{name}_{what}": Tolerance(
            compared=False,
            why="a search's best rate can move to a neighbouring rate "
            "between re-runs; the notebook checks that it is bracketed",
        )
        for name in ("baseline", "bn", "selu")
        for what in ("rate", "n_rates")
    },
}

_TIME = re.compile(
    r"(^|_)(s|sec|secs|seconds|time|times|ms|speedup|slowdown)(_|$)"
)
_ACCURACY = re.compile(r"(^|_)(acc|accuracy|accuracies|error|err)(_|$)")
_LOSS = re.compile(r"(^|_)(loss|losses|nll|ece)(_|$)")


def parse(text: str):
    """The Python value a glue output's text shows (a number, a string...)."""
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        return text.strip()


def kind_of(key: str, value) -> str:
    """The kind of a glued value, which selects its tolerance."""
    if isinstance(value, str):
        return "text"
    if _TIME.search(key):
        return "time"
    if _ACCURACY.search(key):
        return "accuracy"
    if _LOSS.search(key):
        return "loss"
    if isinstance(value, bool) or isinstance(value, int):
        return "count"
    return "number"


def within(committed, rerun, tolerance: Tolerance) -> bool:
    """Whether ``rerun`` is within ``tolerance`` of ``committed``."""
    if not tolerance.compared:
        return True
    if isinstance(committed, str) or isinstance(rerun, str):
        return committed == rerun
    try:
        a, b = float(committed), float(rerun)
    except (TypeError, ValueError):
        return committed == rerun
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if tolerance.absolute is not None and abs(b - a) <= tolerance.absolute:
        return True
    if tolerance.relative is not None:
        return abs(b - a) <= tolerance.relative * max(abs(a), 1e-12)
    return False


class Row(NamedTuple):
    notebook: str
    key: str
    kind: str
    committed: object
    rerun: object
    difference: float | None
    ok: bool
    tolerance: str


def compare(name: str, committed_nb, rerun_nb) -> list[Row]:
    """One row per glue key of either notebook."""
    before = {
        k: parse(v) for k, v in nbs.glued_values(committed_nb).items()
    }
    after = {k: parse(v) for k, v in nbs.glued_values(rerun_nb).items()}
    rows = []
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key), after.get(key)
        kind = kind_of(key, a if key in before else b)
        tolerance = OVERRIDES.get(key, TOLERANCES[kind])
        if key not in before or key not in after:
            rows.append(
                Row(
                    name,
                    key,
                    kind,
                    a,
                    b,
                    None,
                    False,
                    "missing on one side",
                )
            )
            continue
        try:
            difference = float(b) - float(a)
        except (TypeError, ValueError):
            difference = None
        rows.append(
            Row(
                name,
                key,
                kind,
                a,
                b,
                difference,
                within(a, b, tolerance),
                tolerance.why,
            )
        )
    return rows


def failed(values_ok, failures, seed) -> bool:
    """The drift check's verdict: a notebook failed (a failed claim counts),
    or, on the committed seed, a value left its tolerance. With another seed
    values are expected to move, so only failures count."""
    return bool(failures) or (seed is None and not all(values_ok))


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).replace("|", "\\|")


def report_markdown(rows: list[Row], failures: dict[str, str], seed) -> str:
    """The drift report: a summary, failed notebooks, then one row per value."""
    bad = [r for r in rows if not r.ok]
    lines = [
        "# Drift report",
        "",
        f"Seed: {seed if seed is not None else 'as committed'}. "
        f"{len(rows)} glued values compared, {len(bad)} out of tolerance; "
        f"{len(failures)} notebook(s) failed to run (a failed claim counts).",
        "",
    ]
    for name, message in failures.items():
        lines.append(f"- **{name} failed:** {message}")
    if failures:
        lines.append("")
    lines += [
        "| Notebook | Glue key | Kind | Committed | Re-run | Difference | Within tolerance |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for r in rows:
        verdict = "yes" if r.ok else f"**no** ({r.tolerance})"
        if r.kind == "time":
            verdict = "not compared"
        lines.append(
            f"| {r.notebook} | `{r.key}` | {r.kind} | {_cell(r.committed)} | "
            f"{_cell(r.rerun)} | {_cell(r.difference)} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def write_report(
    out_dir: Path, rows: list[Row], failures: dict[str, str], seed
) -> tuple[Path, Path]:
    """Writes ``report.md`` and ``report.json`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    md = out_dir / "report.md"
    md.write_text(report_markdown(rows, failures, seed))
    js = out_dir / "report.json"
    js.write_text(
        json.dumps(
            {
                "seed": seed,
                "failures": failures,
                "values": [r._asdict() for r in rows],
            },
            indent=1,
            default=str,
        )
    )
    return md, js


def merge(folder: Path) -> tuple[Path, Path, Path]:
    """Gathers per-job drift runs (each ``<folder>/<job>/``) into one report.

    CI runs the drift check as one job per notebook; each job's output folder
    (``report.json`` plus the re-run notebook under ``notebooks/`` or
    ``solutions/``) is downloaded into its own subfolder of ``folder``. This
    writes ``folder/report.md``, ``folder/report.json`` and an execution
    report of the re-runs, ``folder/execution-report.md``.
    """
    import shutil

    from dnnbook.pages import report_markdown as execution_report

    rows, failures, seeds = [], {}, set()
    for part in sorted(folder.glob("*/report.json")):
        data = json.loads(part.read_text())
        seeds.add(data["seed"])
        failures.update(data["failures"])
        rows += [Row(**value) for value in data["values"]]
        for sub in nbs.EXECUTED_DIRS:
            for notebook in (part.parent / sub).glob("*.ipynb"):
                target = folder / sub / notebook.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(notebook, target)
    seed = seeds.pop() if len(seeds) == 1 else sorted(seeds, key=str)
    md, js = write_report(folder, rows, failures, seed)
    execution = folder / "execution-report.md"
    execution.write_text(execution_report(folder))
    return md, js, execution
