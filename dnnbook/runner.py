"""Executes notebooks with papermill and records how they were run.

``make run`` (FULL, in place: the only way committed outputs are produced; each
FULL run is preceded by a FAST run whose time is recorded too) and ``make fast``
(FAST, into a scratch folder) both call this module::

    python -m dnnbook.runner run [--fast] [--out DIR] [NOTEBOOK ...]
    python -m dnnbook.runner report
    python -m dnnbook.runner drift [--seed N] [--fast] [NOTEBOOK ...]
    python -m dnnbook.runner seeds [--seeds N ...] [NOTEBOOK ...]
    python -m dnnbook.runner robustness

Each executed notebook gets ``metadata.dnnbook.execution`` with the mode, the
duration, the TensorFlow/Keras/Python versions, the device, the data source and
a hash of its code cells. FULL runs then regenerate ``book/execution-report.md``
from the committed notebooks. A notebook that fails is never written over its
source; the failed copy goes to ``_build/failed/`` for inspection.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import nbformat

from dnnbook import notebooks as nbs
from dnnbook.pages import write_pages
from dnnbook.data import data_dir
from dnnbook.kernel import KERNEL_NAME, QUIET_TF_ENV
from dnnbook.modes import FAST_ENV, scoped_env
from dnnbook.progress import final_state

_GPU_PROBE = (
    "import tensorflow as tf\n"
    "gpus = tf.config.list_physical_devices('GPU')\n"
    "print(tf.config.experimental.get_device_details(gpus[0]).get('device_name', 'GPU')"
    " if gpus else '')\n"
)


def _version(*distributions: str) -> str:
    for name in distributions:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def describe_device() -> str:
    """'GPU: <name>' when TensorFlow sees a GPU, else 'CPU: <model>, N cores'."""
    probe = subprocess.run(
        [sys.executable, "-c", _GPU_PROBE],
        env={**os.environ, **QUIET_TF_ENV},
        capture_output=True,
        text=True,
        timeout=300,
    )
    gpu = (
        probe.stdout.strip().splitlines()[-1:]
        if probe.returncode == 0
        else []
    )
    if gpu and gpu[0]:
        return f"GPU: {gpu[0]}"
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"CPU: {model}, {os.cpu_count()} cores"


def environment() -> dict:
    folder = data_dir()
    return {
        "tensorflow": _version("tensorflow", "tensorflow-cpu"),
        "keras": _version("keras"),
        "python": platform.python_version(),
        "device": describe_device(),
        "data_source": "offline copy"
        if folder
        else "keras.datasets download",
    }


def _clean_papermill_metadata(nb) -> None:
    """Drop per-run timestamps so that committed notebooks diff cleanly, and keep only
    the final state of progress bars (what a terminal shows after the carriage returns)."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        merged = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (
                output.get("output_type") == "stream"
                and previous is not None
                and previous.get("output_type") == "stream"
                and previous.get("name") == output.get("name")
            ):
                previous.text += output.text
            else:
                merged.append(output)
        for output in merged:
            if output.get("output_type") == "stream":
                output.text = final_state(output.text)
        if "outputs" in cell:
            cell.outputs = merged
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.metadata.get("tags") == []:
            del cell.metadata["tags"]


def _fast_env(fast: bool):
    """Set DNNBOOK_FAST for the kernel papermill starts, and restore it afterwards."""
    return scoped_env(**{FAST_ENV: "1" if fast else "0"})


class ChangedWhileRunning(RuntimeError):
    """The notebook's code changed on disk while it ran."""


def _keep_edits_made_meanwhile(source, now, executed, path: Path):
    """An in-place run writes the notebook back when it ends, which would undo
    edits made meanwhile. Edits to markdown cells are carried into the
    executed copy (they do not change what ran); any other change (code,
    cells added or removed) stops the write, since the outputs would no
    longer belong to the code on disk."""
    if now.cells == source.cells:
        return executed

    def shape(nb):
        return [
            (
                c.get("id"),
                c.cell_type,
                c.source if c.cell_type == "code" else "",
            )
            for c in nb.cells
        ]

    if shape(now) != shape(source):
        raise ChangedWhileRunning(
            f"{path} changed on disk while it ran (code, or cells added or "
            "removed): its executed copy was not written. Run it again."
        )
    edited = {
        c.get("id"): c for c in now.cells if c.cell_type == "markdown"
    }
    for cell in executed.cells:
        if cell.cell_type == "markdown" and cell.get("id") in edited:
            cell.source = edited[cell.get("id")].source
            cell.metadata = edited[cell.get("id")].metadata
    return executed


def execute(
    path: Path,
    out_path: Path,
    fast: bool,
    env_info: dict,
    failed_dir: Path | None = None,
    fast_duration_s: float | None = None,
    parameters: dict | None = None,
) -> dict:
    """Run ``path`` top to bottom with papermill and write the result to ``out_path``.

    Raises papermill's PapermillExecutionError if a cell fails; ``out_path`` is
    then left as it was and the failed copy is saved in ``failed_dir``
    (default ``_build/failed``).
    """
    import papermill

    source = nbs.read(path)
    with _fast_env(fast), tempfile.TemporaryDirectory() as tmp:
        running = Path(tmp) / path.name
        start = time.perf_counter()
        try:
            papermill.execute_notebook(
                str(path),
                str(running),
                parameters=parameters or {},
                kernel_name=KERNEL_NAME,
                cwd=str(path.parent),
                progress_bar=sys.stdout.isatty(),
                log_output=False,
                # write the notebook once at the end (and on a failure),
                # not after every cell: measured 3 s of a 37 s FAST run
                request_save_on_cell_execute=False,
            )
        except Exception:
            failed = (
                failed_dir or nbs.repo_root() / "_build" / "failed"
            ) / path.name
            failed.parent.mkdir(parents=True, exist_ok=True)
            if running.exists():
                shutil.copy(running, failed)
            raise
        duration = time.perf_counter() - start
        nb = nbs.read(running)
    _clean_papermill_metadata(nb)
    if out_path.exists() and out_path.resolve() == path.resolve():
        nb = _keep_edits_made_meanwhile(source, nbs.read(path), nb, path)
    if "kernelspec" in source.metadata:
        nb.metadata["kernelspec"] = source.metadata["kernelspec"]
    record = {
        "mode": "FAST" if fast else "FULL",
        "duration_s": round(duration, 1),
        **(
            {"fast_duration_s": fast_duration_s}
            if fast_duration_s is not None
            else {}
        ),
        "executed_at": dt.datetime.now(dt.timezone.utc).strftime(
            "%Y-%m-%d %H:%M UTC"
        ),
        **env_info,
        "code_sha256": nbs.code_hash(nb),
    }
    nb.metadata.setdefault(nbs.META_KEY, {})["execution"] = record
    out_path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(out_path))
    return record


def failure_message(exc: BaseException) -> str:
    """What the runner prints for a failed notebook: a failed claim by name."""
    if getattr(exc, "ename", None) == "ClaimFailed":
        return f"claim failed: {exc.evalue}"
    return str(exc).strip()[-2000:]


def _targets(names: list[str], root: Path) -> list[Path]:
    if not names:
        return nbs.executed_notebooks(root)
    paths = [Path(name).resolve() for name in names]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise SystemExit(f"No such notebook: {', '.join(missing)}")
    return paths


def run_drift(args, root: Path) -> int:
    """Re-executes notebooks into ``args.out`` and writes the drift report."""
    from dnnbook import drift

    targets = _targets(args.notebooks, root)
    out_dir = args.out.resolve()
    env_info = environment()
    parameters = {} if args.seed is None else {"SEED": args.seed}
    rows, failures = [], {}
    for i, path in enumerate(targets, 1):
        rel = path.relative_to(root) if path.is_relative_to(root) else path
        reference = path if args.reference is None else args.reference / rel
        print(f"[{i}/{len(targets)}] {rel} ...", end=" ", flush=True)
        try:
            rec = execute(
                path,
                out_dir / rel,
                args.fast,
                env_info,
                failed_dir=out_dir / "failed",
                parameters=parameters,
            )
        except Exception as exc:
            failures[str(rel)] = failure_message(exc).splitlines()[-1]
            print(f"FAILED: {failures[str(rel)]}", flush=True)
            continue
        found = drift.compare(
            str(rel), nbs.read(reference), nbs.read(out_dir / rel)
        )
        rows += found
        bad = sum(not r.ok for r in found)
        print(
            f"{rec['duration_s']:.1f} s, {len(found)} values, "
            f"{bad} out of tolerance",
            flush=True,
        )
    md, js = drift.write_report(out_dir, rows, failures, args.seed)
    bad = [r for r in rows if not r.ok]
    print(f"wrote {md} and {js}")
    print(
        f"drift: {len(rows)} values, {len(bad)} out of tolerance, "
        f"{len(failures)} notebook(s) failed"
    )
    return int(drift.failed([r.ok for r in rows], failures, args.seed))


def _seed_list(text: str) -> list[int]:
    """ "1001,2002" or "1001 2002" -> [1001, 2002] (one argument, any order)."""
    import re

    return [int(part) for part in re.split(r"[,\s]+", text.strip()) if part]


def run_seeds(args, root: Path) -> int:
    """The seed survey: each notebook FULL on each seed, claims recorded."""
    from dnnbook import survey

    targets = _targets(args.notebooks, root)
    out_dir = (root / survey.SURVEY_DIR).resolve()
    env_info = environment()
    todo = [
        (seed, path)
        for seed in args.seeds
        for path in targets
        if not survey.has_result(
            out_dir, seed, path, path.relative_to(root)
        )
    ]
    print(
        f"seed survey: {len(args.seeds) * len(targets) - len(todo)} of "
        f"{len(args.seeds) * len(targets)} (seed, notebook) results done; "
        f"{len(todo)} to run",
        flush=True,
    )
    for i, (seed, path) in enumerate(todo, 1):
        rel = path.relative_to(root)
        print(
            f"[{i}/{len(todo)}] seed {seed}, {rel} ...", end=" ", flush=True
        )
        result = survey.run_one(path, rel, seed, out_dir, execute, env_info)
        failed = [c for c in result["claims"] if not c["held"]]
        print(
            f"{result['duration_s'] or 0:.1f} s, {len(result['claims'])} "
            f"claims, {len(failed)} false"
            + (f", stopped: {result['error']}" if result["error"] else ""),
            flush=True,
        )
    return 0


def write_robustness(root: Path) -> list[Path]:
    """Gather the survey into book/robustness.json and book/robustness.md."""
    from dnnbook import survey

    written = []
    for rel, text in survey.survey_files(root).items():
        (root / rel).write_text(text)
        written.append(root / rel)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dnnbook.runner",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute notebooks")
    run.add_argument(
        "notebooks",
        nargs="*",
        help="default: every chapter and solution notebook",
    )
    run.add_argument(
        "--fast", action="store_true", help="FAST mode (default: FULL)"
    )
    run.add_argument(
        "--out",
        type=Path,
        help="write executed copies here (default: in place)",
    )
    sub.add_parser(
        "report",
        help="regenerate book/execution-report.md and book/results.md",
    )
    drift = sub.add_parser(
        "drift",
        help="re-run notebooks into _build/drift and compare glued values",
    )
    drift.add_argument(
        "notebooks",
        nargs="*",
        help="default: every chapter and solution notebook",
    )
    drift.add_argument(
        "--seed",
        type=int,
        help="run with this SEED instead of the committed one (values are "
        "then reported, and only failed claims fail the check)",
    )
    drift.add_argument(
        "--fast", action="store_true", help="FAST mode (default: FULL)"
    )
    drift.add_argument(
        "--reference",
        type=Path,
        help="compare with the notebooks under this folder (same relative "
        "paths) instead of the committed ones",
    )
    drift.add_argument(
        "--out",
        type=Path,
        default=Path("_build") / "drift",
        help="where the re-run notebooks and the report go",
    )
    seeds = sub.add_parser(
        "seeds",
        help="the seed survey: every notebook FULL on each seed, claims "
        "recorded, into _build/seeds (resumable)",
    )
    seeds.add_argument("notebooks", nargs="*")
    seeds.add_argument(
        "--seeds",
        type=_seed_list,
        default=None,
        help='seeds separated by commas or spaces, e.g. "1001,2002" '
        "(default: dnnbook.survey.SURVEY_SEEDS)",
    )
    sub.add_parser(
        "robustness",
        help="gather _build/seeds into book/robustness.json and .md",
    )
    merge = sub.add_parser(
        "drift-merge",
        help="gather per-notebook drift runs (one subfolder each) into one "
        "drift report and one execution report",
    )
    merge.add_argument("folder", type=Path)
    args = parser.parse_args(argv)

    root = nbs.repo_root()
    if args.command == "report":
        print("wrote " + ", ".join(map(str, write_pages(root))))
        return 0
    if args.command == "drift":
        return run_drift(args, root)
    if args.command == "seeds":
        from dnnbook.survey import SURVEY_SEEDS

        args.seeds = args.seeds or list(SURVEY_SEEDS)
        return run_seeds(args, root)
    if args.command == "robustness":
        print("wrote " + ", ".join(map(str, write_robustness(root))))
        return 0
    if args.command == "drift-merge":
        from dnnbook import drift

        paths = drift.merge(args.folder.resolve())
        print("wrote " + ", ".join(map(str, paths)))
        report = json.loads(paths[1].read_text())
        return int(
            drift.failed(
                [v["ok"] for v in report["values"]],
                report["failures"],
                report["seed"],
            )
        )
    if args.fast and args.out is None:
        parser.error("FAST outputs are never committed: give --out DIR")

    targets = _targets(args.notebooks, root)
    source = data_dir() or "keras.datasets (downloads)"
    print(f"Detecting the device... (data: {source})", flush=True)
    env_info = environment()
    mode = "FAST" if args.fast else "FULL"
    print(
        f"{mode} run of {len(targets)} notebook(s) on {env_info['device']}, "
        f"TensorFlow {env_info['tensorflow']}, Keras {env_info['keras']}",
        flush=True,
    )
    failures, summary = [], []
    for i, path in enumerate(targets, 1):
        rel = path.relative_to(root) if path.is_relative_to(root) else path
        out = path if args.out is None else args.out.resolve() / rel
        print(f"[{i}/{len(targets)}] {rel} ...", end=" ", flush=True)
        try:
            if args.fast:
                rec = execute(path, out, True, env_info)
            else:  # FAST first: a quick check, and its time goes on the execution report
                with tempfile.TemporaryDirectory() as scratch:
                    fast = execute(
                        path, Path(scratch) / path.name, True, env_info
                    )
                print(
                    f"FAST {fast['duration_s']:.1f} s, FULL ...",
                    end=" ",
                    flush=True,
                )
                rec = execute(
                    path,
                    out,
                    False,
                    env_info,
                    fast_duration_s=fast["duration_s"],
                )
        except Exception as exc:  # report every failing notebook, then fail
            print(
                f"FAILED ({type(exc).__name__}); see _build/failed/{path.name}",
                flush=True,
            )
            print(failure_message(exc), flush=True)
            failures.append(str(rel))
            continue
        print(f"{rec['duration_s']:.1f} s", flush=True)
        summary.append((str(rel), rec["duration_s"]))
    if args.out is None and summary:
        print("wrote " + ", ".join(map(str, write_pages(root))))
    total = sum(seconds for _, seconds in summary)
    print(
        f"{mode}: {len(summary)} passed, {len(failures)} failed, {total:.1f} s in all"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
