"""The two generated book pages: the execution report and the Results page.

Both are rebuilt from the committed notebooks (``make report``; ``make run``
rebuilds them after each FULL run), so neither can drift from the outputs:

* ``book/execution-report.md``: how, where and how fast every chapter and
  solution notebook last ran, from the runner's ``metadata.dnnbook.execution``;
* ``book/results.md``: every key result the exercise solutions glue, beside
  published references. Our numbers are never typed: each cell is a
  ``{glue:text}`` reference to the solution notebook that computed it. The
  reference numbers are quotes from a widely used book's solution notebooks
  (one run each), as cited in the exercise issues.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from dnnbook import notebooks as nbs

RESULTS_PATH = Path("book") / "results.md"
REPORT_PATH = Path("book") / "execution-report.md"


class Result(NamedTuple):
    key: str  # glue key in the solution notebook
    label: str
    fmt: str = ".2%"  # format spec for the glued number
    reference: str = "-"
    same_as: str = (
        ""  # not measured on its own: the row repeats this model's
    )

    @property
    def glued(self) -> bool:
        return not self.same_as


_CIFAR10_VARIANTS = [  # (glue name, label, reference validation accuracy: 2nd / 3rd edition)
    (
        "baseline",
        "Baseline (20×100 ELU, Nadam, warm-up + cosine)",
        "47.6% / 46.8%",
    ),
    ("bn", "Batch normalization", "54.0% / 50.7%"),
    ("selu", "SELU (self-normalizing)", "47.9% / 50.3%"),
    ("alpha_dropout", "SELU + alpha dropout", "48.9% / 49.8%"),
    (
        "mc_dropout",
        "MC dropout on the alpha-dropout model",
        "48.9% / 49.8%",
    ),
    ("onecycle", "1cycle (SGD, SELU + alpha dropout)", "52.0% / 52.4%"),
]

# Variants that train no model of their own: their time rows are the model's.
_TRAINED_AS = {"mc_dropout": "SELU + alpha dropout"}

EXERCISES: dict[str, list[Result]] = {
    "cifar10_deep_dnn": [
        result
        for name, label, reference in _CIFAR10_VARIANTS
        for result in (
            Result(
                f"cifar10_{name}_val_acc",
                f"{label}: validation accuracy",
                reference=reference,
            ),
            Result(f"cifar10_{name}_test_acc", f"{label}: test accuracy"),
            Result(
                f"cifar10_{name}_sec_per_epoch",
                f"{label}: seconds per epoch",
                ".1f",
                same_as=_TRAINED_AS.get(name, ""),
            ),
            Result(
                f"cifar10_{name}_wall_to_best_s",
                f"{label}: seconds to the best epoch",
                ".0f",
                same_as=_TRAINED_AS.get(name, ""),
            ),
            Result(
                f"cifar10_{name}_sec_to_ref",
                f"{label}: seconds to 46.8% validation accuracy",
                ".0f",
                same_as=_TRAINED_AS.get(name, ""),
            ),
        )
    ],
    "mnist_transfer": [
        Result(
            "mnist04_test_acc",
            "Digits 0–4: default network (5×100, ELU)",
            reference="97.26%",
        ),
        Result(
            "mnist04_tuned_test_acc",
            "Digits 0–4: best KerasTuner configuration",
            reference="98.91%",
        ),
        Result(
            "mnist04_bn_test_acc",
            "Digits 0–4: with batch normalization",
            reference="99.49%",
        ),
        Result("mnist04_dropout_test_acc", "Digits 0–4: with dropout"),
        Result(
            "mnist04_best_test_acc",
            "Digits 0–4: best model (chosen on validation)",
        ),
        Result(
            "mnist59_frozen_test_acc",
            "Digits 5–9: five frozen layers (mean over samples)",
            ".1%",
            "64.0%",
        ),
        Result(
            "mnist59_cached_test_acc",
            "Digits 5–9: frozen layers, cached outputs",
            ".1%",
            "61.2%",
        ),
        Result(
            "mnist59_cached_speedup",
            "Digits 5–9: speed-up of an epoch from caching (×)",
            ".1f",
            "1.7 (whole training, 1.9 s → 1.1 s)",
        ),
        Result(
            "mnist59_four_layers_test_acc",
            "Digits 5–9: four frozen layers",
            ".1%",
            "69.1%",
        ),
        Result(
            "mnist59_unfrozen_top2_test_acc",
            "Digits 5–9: top two layers unfrozen",
            ".1%",
            "78.1%",
        ),
        Result(
            "mnist59_all_unfrozen_test_acc",
            "Digits 5–9: all layers unfrozen",
            ".1%",
            "91.3%",
        ),
        Result(
            "mnist59_best_test_acc",
            "Digits 5–9: best transfer variant (chosen on validation)",
            ".1%",
        ),
        Result(
            "mnist59_scratch_test_acc",
            "Digits 5–9: same network from scratch",
            ".1%",
            "84.8%",
        ),
    ],
    "pair_pretraining": [
        Result(
            "pairs_test_acc",
            "Pair network: test pairs classified correctly",
            reference="97.6%",
        ),
        Result(
            "pairs_pretrained_test_acc",
            "Classifier on frozen tower A (mean over runs)",
            reference="96.5%",
        ),
        Result(
            "pairs_finetuned_test_acc", "Classifier on tower A, fine-tuned"
        ),
        Result(
            "pairs_scratch_test_acc",
            "Same classifier from scratch",
            reference="94.6%",
        ),
    ],
}


# Chapters that measure something worth finding on the Results page: the
# notebook's stem -> its results (glue keys of the chapter notebook).
CHAPTERS: dict[str, list[Result]] = {
    stem: [Result(key, label, fmt) for key, label, fmt in rows]
    for stem, rows in {
        "04_residual_normalization": [
            (
                "res_plain_acc",
                "50 plain ReLU layers (mean over seeds)",
                ".1%",
            ),
            (
                "res_default_acc",
                "25 residual blocks, default branches (mean over seeds)",
                ".1%",
            ),
            (
                "res_zero_acc",
                "25 residual blocks, zero-initialized branch ends (mean)",
                ".1%",
            ),
            (
                "res_scaled_acc",
                "25 residual blocks, branches × 1/√B (mean)",
                ".1%",
            ),
            (
                "res_std_growth_default",
                "Growth of the stream std over 25 default blocks (×)",
                ",.0f",
            ),
            (
                "res_std_growth_scaled",
                "Growth of the stream std over 25 scaled blocks (×)",
                ".2f",
            ),
            ("res_pre_acc", "Pre-norm (LN), 50 layers (mean)", ".1%"),
            ("res_post_acc", "Post-norm (LN), 50 layers (mean)", ".1%"),
            (
                "res_bn_64_acc",
                "BN, residual network, batches of 64 (mean)",
                ".1%",
            ),
            (
                "res_bn_gap_64",
                "Gap from BN to the per-example layers, batches of 64",
                ".1%",
            ),
            (
                "res_bn_tiny_acc",
                "BN, residual network, batches of 4 (mean)",
                ".1%",
            ),
            (
                "res_bn_gap_4",
                "Gap from BN to the per-example layers, batches of 4",
                ".1%",
            ),
        ],
        "10_practical_training": [
            (
                "prac_speedup_wide",
                "mixed_bfloat16 speed-up, 4 × 1,024 units (×)",
                ".2f",
            ),
            (
                "prac_speedup_deep",
                "mixed_bfloat16 speed-up, 20 × 100 units (×)",
                ".2f",
            ),
            ("prac_bf16_acc", "20 × 100 units in bfloat16 (mean)", ".1%"),
            ("prac_f32_acc", "20 × 100 units in float32 (mean)", ".1%"),
            (
                "prac_flushed_5",
                "Output gradients lost in float16 after 5 epochs, unscaled",
                ".1%",
            ),
            (
                "prac_flushed_scaled",
                "Output gradients lost in float16, loss × 2^15",
                ".2%",
            ),
            (
                "prac_accum_error",
                "Accumulated against one large batch, without BN "
                "(share of the largest step)",
                ".1e",
            ),
            (
                "prac_accum_bn_error",
                "Accumulated against one large batch, with BN "
                "(share of the largest step)",
                ".1%",
            ),
            ("prac_tiny_64", "BN, true batches of 64 (mean)", ".1%"),
            (
                "prac_tiny_accum",
                "BN, batches of 4 accumulated × 16 (mean)",
                ".1%",
            ),
            (
                "prac_tiny_ln",
                "LN, batches of 4 accumulated × 16 (mean)",
                ".1%",
            ),
            ("prac_ece_none", "ECE without label smoothing (mean)", ".1%"),
            (
                "prac_ece_smooth",
                "ECE with label smoothing 0.1 (mean)",
                ".1%",
            ),
        ],
    }.items()
}


def _executed(record: dict) -> str:
    return (
        f"Executed on {record.get('device', 'unknown device')}; "
        f"data: {record.get('data_source', 'unknown')}; TensorFlow "
        f"{record.get('tensorflow', '?')}, Keras {record.get('keras', '?')}; "
        f"{record.get('executed_at', 'not executed')}."
    )


def results_markdown(root: Path) -> str:
    """The Results page for the solutions that exist under ``root``."""
    lines = [
        "# Results",
        "",
        "The key results of every published exercise, as computed by its solution",
        "notebook in its last FULL run (each number below is read from that notebook's",
        "outputs), beside the numbers published for the same exercise in a widely used",
        "book's solution notebooks (a single run each: TensorFlow 1 for MNIST; for CIFAR-10,",
        "the validation accuracies of its 2nd / 3rd editions). Where our solution averages",
        "several runs, the label says so; the solutions discuss the spread.",
        "This page is generated by `make report`.",
        "",
    ]
    for name, results in EXERCISES.items():
        path = root / "solutions" / f"{name}.ipynb"
        if not path.exists():
            continue
        nb = nbs.read(path)
        record = nbs.execution_record(nb) or {}
        topic = nbs.title(nb, name).removeprefix("Solution: ")
        lines += [
            f"## {topic[:1].upper()}{topic[1:]}",
            "",
            f"Computed by {{doc}}`../solutions/{name}`. {_executed(record)}",
            "",
            "| Result | This course | Reference |",
            "|---|---:|---:|",
        ]
        for result in results:
            ours = (
                f"{{glue:text}}`../solutions/{name}.ipynb::{result.key}:{result.fmt}`"
                if result.glued
                else f"same model as {result.same_as}"
            )
            lines.append(
                f"| {result.label} | {ours} | {result.reference} |"
            )
        lines.append("")
    chapters = [
        (stem, results)
        for stem, results in CHAPTERS.items()
        if (root / "notebooks" / f"{stem}.ipynb").exists()
    ]
    if chapters:
        lines += [
            "## Chapters",
            "",
            "Key measurements of the chapters on the modern toolkit, read from each",
            "chapter's last FULL run. The chapters give the spread over seeds and say",
            "which differences hold on every seed.",
            "",
        ]
    for stem, results in chapters:
        nb = nbs.read(root / "notebooks" / f"{stem}.ipynb")
        record = nbs.execution_record(nb) or {}
        lines += [
            f"### {nbs.title(nb, stem)}",
            "",
            f"Computed by {{doc}}`../notebooks/{stem}`. {_executed(record)}",
            "",
            "| Result | This course |",
            "|---|---:|",
        ]
        for result in results:
            lines.append(
                f"| {result.label} | {{glue:text}}`../notebooks/{stem}.ipynb"
                f"::{result.key}:{result.fmt}` |"
            )
        lines.append("")
    return "\n".join(lines)


def report_markdown(root: Path) -> str:
    """The execution-report page, built from the committed notebooks' metadata."""
    lines = [
        "# Execution report",
        "",
        "Every chapter and solution notebook in this book was executed top to bottom",
        "by the course runner (`make run`) in FULL mode; the outputs you read are the",
        "outputs of that run. This page is regenerated from the metadata the runner",
        "stores in each notebook, so it cannot drift from them.",
        "",
        "| Notebook | Mode | FULL time (s) | FAST time (s) | Device | TensorFlow | Keras | Data | Executed |",
        "|---|---|---:|---:|---|---|---|---|---|",
    ]
    for path in nbs.executed_notebooks(root):
        nb = nbs.read(path)
        rec = nbs.execution_record(nb)
        rel = path.relative_to(root).with_suffix("").as_posix()
        link = f"{{doc}}`{nbs.title(nb, path.stem)} <../{rel}>`"
        if not rec:
            lines.append(f"| {link} | not executed | | | | | | | |")
            continue
        fast = (
            f"{rec['fast_duration_s']:.1f}"
            if "fast_duration_s" in rec
            else "not measured"
        )
        lines.append(
            f"| {link} | {rec['mode']} | {rec['duration_s']:.1f} | {fast} | {rec['device']} | "
            f"{rec['tensorflow']} | {rec['keras']} | {rec['data_source']} | "
            f"{rec['executed_at']} |"
        )
    lines += [
        "",
        "FAST runs (`make fast`, the nbval tests in CI, and a check that `make run`",
        "does before each FULL run) use smaller subsets and fewer epochs; their outputs",
        "are checked but never committed. Times are wall-clock seconds, kernel start",
        "included.",
        "",
    ]
    return "\n".join(lines)


def write_pages(root: Path) -> list[Path]:
    """Rebuilds the generated pages under ``root``; returns their paths.

    The execution report, the results page and the seed survey's page (with
    its JSON): a FULL run changes the committed seed's results.
    """
    from dnnbook.survey import survey_files

    written = []
    for rel, text in (
        (REPORT_PATH, report_markdown(root)),
        (RESULTS_PATH, results_markdown(root)),
        *survey_files(root).items(),
    ):
        (root / rel).write_text(text)
        written.append(root / rel)
    return written
