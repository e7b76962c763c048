"""A learner's path through the big exercises, in FAST mode.

* **A finished exercise runs to the end**: the exercise as generated, with the
  solution's code in place of every TODO (the generator knows which code each
  TODO replaced), runs without an error, and every self-check prints ✓.
* **The usual mistakes are caught**: each mistake of the corpus below is
  applied to the solution's code and run, in the same kernel after the
  finished run, from its cell to the self-check that must catch it. The check
  must fail with a one-line ✗ that names the problem (never a raw traceback),
  and no cell before it may fail.

One kernel per exercise keeps this cheap: the finished run does the training
once, and each mistake re-runs only its own cells (most of them before any
long training).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

import pytest
from nbclient import NotebookClient

from dnnbook import exercises as ex
from dnnbook import notebooks as nbs
from dnnbook.kernel import KERNEL_NAME

ROOT = nbs.repo_root()


@dataclass
class Mistake:
    """One typical mistake: ``old`` becomes ``new`` in the cell that holds
    ``cell``; the cells from the one holding ``start`` (default: that cell) to
    the one holding ``until`` run, and ``until``'s check must fail with a ✗
    matching ``message``."""

    name: str
    cell: str
    old: str
    new: str
    until: str
    message: str
    start: str | None = None


MISTAKES = {
    "cifar10_deep_dnn.ipynb": [
        Mistake(
            "BN after the activation",
            cell="def build_dnn(",
            old="""                keras.layers.Dense(
                    100, kernel_initializer=initializer, use_bias=False
                )
            )
            model.add(keras.layers.BatchNormalization())
            model.add(keras.layers.Activation(activation))""",
            new="""                keras.layers.Dense(
                    100,
                    activation=activation,
                    kernel_initializer=initializer,
                    use_bias=False,
                )
            )
            model.add(keras.layers.BatchNormalization())""",
            until="checks.check_bn_before_activation(\n    build_dnn(",
            message=r"hidden Dense layer 1 has the activation 'elu': with "
            r"batch normalization",
        ),
        Mistake(
            "an output layer without softmax",
            cell="def build_dnn(",
            old='keras.layers.Dense(10, activation="softmax")',
            new="keras.layers.Dense(10)",
            until="checks.check_output_layer(build_dnn(), 10",
            message=r"expected an output layer of 10 units with 'softmax', "
            r"found 10 units with 'linear'",
        ),
        Mistake(
            "Keras's default initializer instead of He",
            cell="def build_dnn(",
            old='initializer="he_normal",\n    batch_norm=False',
            new='initializer="glorot_uniform",\n    batch_norm=False',
            until="checks.check_output_layer(build_dnn(), 10",
            message=r"expected kernel initializer HeNormal in every hidden "
            r"layer, found \['GlorotUniform'\]",
        ),
        Mistake(
            "a rate search that never steps outward",
            cell="def search_rate(build):",
            old="    while True:",
            new="    return dict(sorted(scores.items()))\n    while True:",
            until="checks.check_rate_search(",
            message=r"with the best accuracy at 0\.03, search_rate tried "
            r"\[0\.0003, 0\.001, 0\.003\]: it should step outward",
        ),
        Mistake(
            "a 1cycle schedule that never decays",
            cell="class OneCycle(",
            old="        if step < self.half:",
            new="        if True:  # the rise only",
            until="checks.check_one_cycle(",
            message=r"the rate is highest at the last step: it never "
            r"decays",
        ),
    ],
    "mnist_transfer.ipynb": [
        Mistake(
            "the model's own layers reused instead of loaded from its file",
            cell="def pretrained_layers(n):",
            old='model = keras.models.load_model(WORK_DIR / "mnist04_model.keras")',
            new="model = model_04",
            until="checks.check_fresh_layers(",
            message=r"the layers are model_04's own: training them would "
            r"change model_04 too",
        ),
        Mistake(
            "pretrained layers left trainable",
            cell="def pretrained_layers(n):",
            old="        layer.trainable = False",
            new="        pass",
            until="checks.check_fresh_layers(",
            message=r"these layers should be frozen but are not",
        ),
        Mistake(
            "no accuracy metric",
            cell="def fit_04(",
            old='        metrics=["accuracy"],\n    )\n    callbacks',
            new="    )\n    callbacks",
            until="checks.check_compiled(\n    model_04",
            message=r"model_04 was compiled without metrics=\['accuracy'\]",
        ),
        Mistake(
            "BN after the activation",
            cell="def fit_04(",
            old="""                keras.layers.Dense(
                    units, kernel_initializer="he_normal", use_bias=False
                )
            )
            model.add(keras.layers.BatchNormalization())
            model.add(keras.layers.Activation(activation))""",
            new="""                keras.layers.Dense(
                    units,
                    activation=activation,
                    kernel_initializer="he_normal",
                    use_bias=False,
                )
            )
            model.add(keras.layers.BatchNormalization())""",
            until="checks.check_compiled(\n    model_04",
            message=r"hidden Dense layer 1 has the activation 'elu'",
        ),
        Mistake(
            "an output for ten digits instead of five",
            cell="def fit_04(",
            old='keras.layers.Dense(5, activation="softmax")',
            new='keras.layers.Dense(10, activation="softmax")',
            until="checks.check_compiled(\n    model_04",
            message=r"expected an output layer of 5 units with 'softmax', "
            r"found 10 units",
        ),
    ],
    "pair_pretraining.ipynb": [
        Mistake(
            "labels the other way round",
            cell="def __getitem__(self, index):",
            old='targets = same_digit.astype("float32")',
            new='targets = (~same_digit).astype("float32")',
            until="checks.check_pair_labels(",
            message=r"256 of 256 pair labels are wrong \(the convention: 1 "
            r"= same class",
        ),
        Mistake(
            "no pairs of different digits",
            cell="def __getitem__(self, index):",
            old="n_same = self.batch_size // 2",
            new="n_same = self.batch_size",
            until="checks.check_pair_labels(",
            message=r"100\.0% of the pairs are labelled 'same', expected 50%",
        ),
        Mistake(
            "no accuracy metric",
            cell='pair_model.compile(\n    loss="binary_crossentropy"',
            old='    metrics=["accuracy"],\n)',
            new=")",
            until='checks.check_compiled(pair_model, "binary_crossentropy")',
            message=r"pair_model was compiled without metrics=\['accuracy'\]",
        ),
        Mistake(
            "an answer of two words",
            cell="answer_towers = (",
            old="answer_towers = (",
            new='answer_towers = "Two towers."\nnot_the_answer = (',
            until='checks.check_answer("answer_towers"',
            message=r"answer_towers should answer the question in a "
            r"sentence or two \(at least 8 words; found 2\)",
        ),
        Mistake(
            "tower A trained itself instead of a copy",
            cell="def classifier_on(tower):",
            old="reused = keras.models.clone_model(tower_a)\n"
            "    reused.set_weights(tower_a.get_weights())",
            new="reused = tower_a",
            start="tower_a_weights = [",
            until="checks.check_weights_unchanged(tower_a",
            message=r"weight arrays of tower_a changed: train a clone",
        ),
        Mistake(
            "no hidden layer after the concatenation",
            cell="def make_pair_model(",
            old="pair_model = make_pair_model(tower_a, tower_b)",
            new="pair_model = make_pair_model(tower_a, tower_b, 0)",
            until='checks.check_in_range(\n    "pair test accuracy"',
            message=r"pair test accuracy = 0\.[45]\d* is outside the "
            r"expected range \[0\.65, 1\]: near 0\.5 is guessing: can your "
            r"model compare the two images\?",
        ),
        Mistake(
            "a softmax output of two units",
            cell="def make_pair_model(",
            old='keras.layers.Dense(1, activation="sigmoid")(features)',
            new='keras.layers.Dense(2, activation="softmax")(features)',
            until='checks.check_output_layer(pair_model, 1, "sigmoid")',
            message=r"expected an output layer of 1 unit with 'sigmoid', "
            r"found 2 units with 'softmax'",
        ),
    ],
}
NAMES = sorted(MISTAKES)


def _text(cell) -> str:
    """What a cell printed, displayed and raised (an error's traceback lines)."""
    text = ""
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            text += out.text
        elif out.output_type == "error":
            text += "\n".join(out.traceback)
        elif "data" in out:
            text += out.data.get("text/plain", "")
    return text


def _error(cell):
    return next(
        (o for o in cell.get("outputs", []) if o.output_type == "error"),
        None,
    )


def _index(cells, text: str) -> int:
    hits = [
        i
        for i, cell in enumerate(cells)
        if cell.cell_type == "code" and text in cell.source
    ]
    assert len(hits) == 1, (
        f"the corpus names a cell by {text!r}, which {len(hits)} code cells "
        "hold: update the corpus to the solution"
    )
    return hits[0]


def _walk(name: str):
    """Run the finished exercise, then each mistake; yield what each gave."""
    finished = ex.finished_exercise(
        nbs.read(ROOT / "solutions" / name), name
    )
    cells = finished.cells
    client = NotebookClient(
        finished,
        kernel_name=KERNEL_NAME,
        allow_errors=True,
        timeout=600,
        resources={"metadata": {"path": str(ROOT / "exercises")}},
    )
    with client.setup_kernel():
        for index, cell in enumerate(cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
        # nbclient puts every cell it runs into the notebook at its index:
        # keep the finished run's cells apart from the mistakes'
        cells = copy.deepcopy(list(cells))
        yield "finished", cells
        for mistake in MISTAKES[name]:
            target = _index(cells, mistake.cell)
            start = _index(cells, mistake.start or mistake.cell)
            until = _index(cells, mistake.until)
            assert start <= target <= until, mistake.name
            assert cells[target].source.count(mistake.old) == 1, (
                f"{name}: the mistake “{mistake.name}” no longer applies "
                f"to the solution's code ({mistake.old!r} not found once)"
            )
            ran = []
            for index in range(start, until + 1):
                if cells[index].cell_type != "code":
                    continue
                cell = copy.deepcopy(cells[index])
                cell.outputs = []
                if index == target:
                    cell.source = cell.source.replace(
                        mistake.old, mistake.new
                    )
                client.execute_cell(cell, index)
                ran.append(cell)
                if _error(cell) is not None:
                    break
            yield mistake, ran


@pytest.fixture(scope="module")
def walks():
    """Each exercise's walk, run once for both tests (the root conftest.py
    sets DNNBOOK_FAST=1, which the kernels inherit)."""
    return {}


def _results(walks, name):
    if name not in walks:
        walks[name] = list(_walk(name))
    return walks[name]


@pytest.mark.parametrize("name", NAMES)
def test_a_finished_exercise_runs_to_the_end_with_a_tick_from_every_check(
    walks, name
):
    (_, cells), *_ = _results(walks, name)
    checked = 0
    for index, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        text = _text(cell)
        error = _error(cell)
        assert error is None, (
            f"{name}, finished, cell {index} failed: {error.ename}: "
            f"{error.evalue}\n{cell.source[:300]}"
        )
        assert not re.search(r"^[✗⏭✎]", text, re.M), (
            f"{name}, finished, cell {index}: {text[:400]}"
        )
        if re.search(r"\bchecks\.check_", cell.source):
            checked += 1
            assert "✓" in text, (
                f"{name}, finished, cell {index} checks something but "
                f"printed no ✓: {text[:300]!r}"
            )
    assert checked >= 5, f"{name}: only {checked} self-check cells"


REPORT = ROOT / "_build" / "learner-path"


@pytest.mark.parametrize("name", NAMES)
def test_every_typical_mistake_gets_a_cross_that_names_it(walks, name):
    _, *mistakes = _results(walks, name)
    assert len(mistakes) >= 4, f"{name}: a corpus of at least 4 mistakes"
    # what each mistake got, for maintainers: _build/learner-path/NAME.md
    REPORT.mkdir(parents=True, exist_ok=True)
    (REPORT / f"{name}.md").write_text(
        "".join(
            f"- {mistake.name}: {_text(ran[-1]).strip()}\n"
            for mistake, ran in mistakes
        )
    )
    for mistake, ran in mistakes:
        *before, last = ran
        for cell in before:
            error = _error(cell)
            assert error is None, (
                f"{name}, “{mistake.name}”: a cell before the check failed "
                f"({error.ename}: {error.evalue})"
            )
        assert mistake.until in last.source, (
            f"{name}, “{mistake.name}”: the run stopped before the check"
        )
        error = _error(last)
        assert error is not None, (
            f"{name}, “{mistake.name}”: the check let the mistake through: "
            f"{_text(last)[:300]!r}"
        )
        assert error.ename == "CheckFailed" and len(error.traceback) == 1, (
            f"{name}, “{mistake.name}”: a raw {error.ename} instead of a ✗ "
            f"message: {error.evalue}"
        )
        shown = error.traceback[0]
        assert shown.startswith("✗ "), shown
        assert re.search(mistake.message, shown), (
            f"{name}, “{mistake.name}”: the ✗ does not name the problem: "
            f"{shown!r}"
        )
