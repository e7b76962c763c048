"""Committed chapter and solution notebooks are what the runner produced in FULL mode.

These checks read the notebooks as committed (they execute nothing), so they
catch an edited cell that was not re-run, a hand-edited output, an error or a
warning in an output, and API that Keras 3 no longer supports.
"""

import json
import re

import pytest

from dnnbook import notebooks as nbs
from dnnbook import survey
from dnnbook.pages import (
    CHAPTERS as CHAPTER_RESULTS,
    EXERCISES,
    REPORT_PATH,
    RESULTS_PATH,
    report_markdown,
    results_markdown,
)

ROOT = nbs.repo_root()
NOTEBOOKS = nbs.executed_notebooks(ROOT)
IDS = [p.relative_to(ROOT).as_posix() for p in NOTEBOOKS]

# TensorFlow C++ log lines and Python warnings that must never reach an output.
NOISE = re.compile(
    r"(^[IWEF]\d{4} |oneDNN custom operations|cpu_feature_guard|This TensorFlow binary"
    r"|\w*Warning:|WARNING:absl|absl::InitializeLog)",
    re.MULTILINE,
)

# Removed or deprecated API (the course uses current TensorFlow 2.21 / Keras 3 only).
OUTDATED_API = {
    r"[(,]\s*lr\s*=": "lr= (use learning_rate=)",
    r"[(,]\s*decay\s*=": "decay= (use a learning-rate schedule)",
    r"input_shape\s*=": "input_shape= on a layer (start with keras.Input)",
    r"\b(set_value|get_value)\(": "keras.backend.set_value/get_value",
    r"\.h5['\"]": ".h5 files (save in the .keras format)",
    r"history\[['\"]lr['\"]\]": 'history["lr"] (the key is "learning_rate")',
    r"LeakyReLU\(\s*alpha": "LeakyReLU(alpha=) (use negative_slope=)",
    r"tf\.compat\.v1|tf\.contrib": "TensorFlow 1 API",
    r"TF_ENABLE_ONEDNN_OPTS": "TF_ENABLE_ONEDNN_OPTS (it halves CPU speed)",
}

GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([^`:<]+)")
GLUE_WITH_FORMAT = re.compile(r"\{glue:text\}`([^`:<]+):[^`]+`")


glued_values = nbs.glued_values


def rerun_hint(path):
    return f"re-run it with `make run NB={path.relative_to(ROOT).as_posix()}` and commit the result"


def test_there_are_executed_notebooks():
    assert NOTEBOOKS, "no chapter or solution notebooks found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_executed_by_the_runner_in_full_mode_with_current_code(path):
    nb = nbs.read(path)
    record = nbs.execution_record(nb)
    assert record, (
        f"{path.name} has no execution record: {rerun_hint(path)}"
    )
    assert record["mode"] == "FULL", (
        f"{path.name} was last run in {record['mode']} mode: {rerun_hint(path)}"
    )
    for key in (
        "duration_s",
        "tensorflow",
        "keras",
        "device",
        "data_source",
    ):
        assert record.get(key), (
            f"{path.name}: execution record lacks {key!r}: {rerun_hint(path)}"
        )
    assert record["code_sha256"] == nbs.code_hash(nb), (
        f"{path.name}: its code changed after its last FULL run, so its outputs are stale: "
        f"{rerun_hint(path)}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_executed_top_to_bottom_without_errors_or_noise(path):
    nb = nbs.read(path)
    cells = nbs.code_cells(nb)
    counts = [cell.execution_count for cell in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..{len(cells)}: {rerun_hint(path)}"
    )
    for i, cell in enumerate(cells, 1):
        for out in cell.outputs:
            assert out.output_type != "error", (
                f"{path.name} In[{i}] has an error output ({out.ename})"
            )
            if out.output_type == "stream":
                assert out.name == "stdout", (
                    f"{path.name} In[{i}] wrote to stderr: {out.text[:200]!r}"
                )
                assert "\r" not in out.text, (
                    f"{path.name} In[{i}] keeps a progress bar's carriage "
                    "returns: only the runner's cleaned output is committed"
                )
                match = NOISE.search(out.text)
                assert not match, (
                    f"{path.name} In[{i}] prints a log line or warning: {match.group(0)!r}"
                )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_uses_current_keras_api_only(path):
    nb = nbs.read(path)
    for i, cell in enumerate(nbs.code_cells(nb), 1):
        for pattern, why in OUTDATED_API.items():
            assert not re.search(pattern, cell.source), (
                f"{path.name} In[{i}] uses {why}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_page_structure_objectives_parameters_takeaways(path):
    nb = nbs.read(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith(
        "# "
    ), f"{path.name} must open with a title"
    assert "After this notebook you can" in first.source, (
        f"{path.name} must open with objectives"
    )
    tagged = [
        c for c in nb.cells if "parameters" in c.metadata.get("tags", [])
    ]
    assert len(tagged) == 1, (
        f"{path.name} needs exactly one cell tagged 'parameters'"
    )
    assert "FAST = dnnbook.fast_mode_default()" in tagged[0].source
    seeds = [
        c for c in nbs.code_cells(nb) if "set_random_seed(" in c.source
    ]
    assert len(seeds) == 1, (
        f"{path.name} must seed once, at the top (found {len(seeds)} seeding cells)"
    )
    last_markdown = [c for c in nb.cells if c.cell_type == "markdown"][-1]
    assert "Takeaways" in last_markdown.source, (
        f"{path.name} must end with a takeaways cell"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_glued_number_in_the_text_is_produced_by_an_output(path):
    nb = nbs.read(path)
    glued = glued_values(nb)
    markdown = [
        cell.source for cell in nb.cells if cell.cell_type == "markdown"
    ]
    cited = {
        key for source in markdown for key in GLUE_ROLE.findall(source)
    }
    missing = sorted(cited - set(glued))
    assert not missing, (
        f"{path.name} cites glue keys that no output defines: {missing}"
    )
    formatted = {
        key
        for source in markdown
        for key in GLUE_WITH_FORMAT.findall(source)
    }
    for key in sorted(formatted & set(glued)):
        try:
            float(glued[key])
        except ValueError:
            pytest.fail(
                f"{path.name}: glue key {key!r} is cited with a number format but holds "
                f"{glued[key]!r}; glue a plain number, e.g. glue({key!r}, float(value))"
            )


def test_execution_report_page_matches_the_notebooks():
    page = ROOT / REPORT_PATH
    assert page.read_text() == report_markdown(ROOT), (
        f"{REPORT_PATH} is out of date: regenerate it with `make report` "
        "(`make run` does this after every FULL run)"
    )


def test_results_page_matches_the_solutions():
    page = ROOT / RESULTS_PATH
    assert page.read_text() == results_markdown(ROOT), (
        f"{RESULTS_PATH} is out of date: regenerate it with `make report`"
    )


RESULT_SOURCES = [("solutions", n) for n in sorted(EXERCISES)] + [
    ("notebooks", n) for n in sorted(CHAPTER_RESULTS)
]


@pytest.mark.parametrize(
    "folder, name", RESULT_SOURCES, ids=[n for _, n in RESULT_SOURCES]
)
def test_results_page_keys_are_glued_as_numbers_by_the_notebook(
    folder, name
):
    path = ROOT / folder / f"{name}.ipynb"
    if not path.exists():
        pytest.skip(f"{folder}/{name}.ipynb is not published yet")
    glued = glued_values(nbs.read(path))
    table = EXERCISES if folder == "solutions" else CHAPTER_RESULTS
    for result in filter(lambda r: r.glued, table[name]):
        assert result.key in glued, (
            f"{folder}/{name}.ipynb glues no {result.key!r} (Results page)"
        )
        float(
            glued[result.key]
        )  # a plain number, so that the page's format spec applies


# --- claims, run sizes and in-chapter exercises ---

CLAIM_CALL = re.compile(r"\bclaim\(")
CHAPTERS = [p for p in NOTEBOOKS if p.parent.name == "notebooks"]
CHAPTER_IDS = [p.name for p in CHAPTERS]
EXERCISE_HEADING = re.compile(r"^### Exercise (\d+)\.(\d+): \S", re.M)
SELF_CHECK = re.compile(r"\bcheck_\w+\(")


def _text(cell) -> str:
    return "".join(
        out.get("text", "")
        or "".join(out.get("data", {}).get("text/plain", ""))
        for out in cell.outputs
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_claim_held_in_the_full_run(path):
    nb = nbs.read(path)
    claiming = [
        c for c in nbs.code_cells(nb) if CLAIM_CALL.search(c.source)
    ]
    for cell in claiming:
        text = _text(cell)
        assert "✓ " in text, (
            f"{path.name}: a cell that calls claim() printed no ✓ line:\n"
            f"{cell.source[:300]}"
        )
        assert "not judged in a FAST run" not in text, (
            f"{path.name}: a claim was not judged (FAST outputs committed?)"
        )
    if path.parent.name == "notebooks":
        assert claiming, (
            f"{path.name} backs none of its sentences by a claim"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_fast_and_full_differ_in_one_run_sizes_cell(path):
    cells = nbs.code_cells(nbs.read(path))
    index = next(
        i
        for i, c in enumerate(cells)
        if "parameters" in c.metadata.get("tags", [])
    )
    sizes = cells[index + 1]
    assert sizes.source.startswith("# Run sizes:"), (
        f"{path.name}: the cell after `parameters` must be the run-sizes cell"
    )
    others = [
        c.source.splitlines()[0]
        for i, c in enumerate(cells)
        if i not in (index, index + 1)
        and re.search(r"\bFAST\b", re.sub(r"#.*", "", c.source))
    ]
    assert not others, (
        f"{path.name}: FAST is read outside the run-sizes cell: {others}"
    )


def _exercises(nb):
    """(heading, cells up to the next heading) for each in-chapter exercise."""
    found, current = [], None
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("#"):
            current = None
            if EXERCISE_HEADING.match(cell.source):
                current = (cell.source.splitlines()[0], [])
                found.append(current)
        elif current is not None:
            current[1].append(cell)
    return found


@pytest.mark.parametrize("path", CHAPTERS, ids=CHAPTER_IDS)
def test_each_chapter_has_checked_exercises_with_hidden_answers(path):
    nb = nbs.read(path)
    chapter = int(path.name[:2])
    exercises = _exercises(nb)
    assert 2 <= len(exercises) <= 3, (
        f"{path.name} has {len(exercises)} exercises, expected 2 or 3"
    )
    numbers = [EXERCISE_HEADING.match(h).groups() for h, _ in exercises]
    assert numbers == [
        (str(chapter), str(k)) for k in range(1, len(exercises) + 1)
    ], f"{path.name}: exercises must be numbered {chapter}.1, {chapter}.2…"
    for heading, cells in exercises:
        code = [c for c in cells if c.cell_type == "code"]
        answers = [
            c for c in code if "answer" in c.metadata.get("tags", [])
        ]
        learner = [c for c in code if c not in answers]
        assert learner and any(
            SELF_CHECK.search(c.source) for c in learner
        ), f"{path.name} {heading!r}: no self-check before the answer"
        assert len(answers) == 1, (
            f"{path.name} {heading!r}: one answer cell"
        )
        answer = answers[0]
        assert answer.source.startswith("# Answer"), heading
        assert "hide-cell" in answer.metadata["tags"], heading
        assert answer.metadata["mystnb"]["code_prompt_show"] == (
            "Show the answer"
        ), heading
        assert SELF_CHECK.search(answer.source), heading
        shown = _text(answer)
        assert "✓" in shown and "✗" not in shown, (
            f"{path.name} {heading!r}: the worked answer must pass its check"
        )
        for cell in learner:  # an untouched exercise never errors
            assert all(o.output_type != "error" for o in cell.outputs)


def test_the_robustness_page_is_up_to_date_with_the_survey():
    # Regathered from the committed survey and notebooks alone (no local
    # _build/seeds): what a clean clone gets. A notebook whose code changed
    # since its survey loses its old results here, so the committed files
    # differ until `make robustness` (and `make seeds` for it) is run.
    expected = survey.survey_files(ROOT, out_dir=ROOT / "_no_local_survey")
    for rel, text in expected.items():
        assert (ROOT / rel).read_text() == text, (
            f"{rel} is out of date: run `make seeds NB=...` for the notebooks "
            "whose code changed, then `make robustness` (`make run` "
            "regenerates it too)"
        )


# Notebooks whose survey is not finished, and why. Every other notebook's
# claims must each have held on every surveyed seed. Remove a notebook from
# here once `make seeds` has run it on every seed and its claims all hold.
SURVEY_PENDING: dict[str, str] = {}


def survey_rows():
    gathered = json.loads((ROOT / survey.SURVEY_JSON).read_text())
    return {
        rel: survey.claim_rows(
            survey.claim_statements(nbs.read(ROOT / rel)), entry["runs"]
        )
        for rel, entry in gathered["notebooks"].items()
    }


def test_every_claim_held_on_every_surveyed_seed():
    n_seeds = len(survey.SURVEY_SEEDS)
    problems = [
        f"{rel}: “{row['statement']}” held on {row['held']} of "
        f"{row['seeds']} of the {n_seeds} seeds"
        for rel, rows in survey_rows().items()
        if rel not in SURVEY_PENDING
        for row in rows
        if not row["seeds"] == row["held"] == n_seeds
    ]
    assert not problems, (
        "survey every seed (`make seeds NB=...`) and rewrite each claim "
        "that failed from the evidence (CONTRIBUTING):\n"
        + "\n".join(problems)
    )


@pytest.mark.parametrize("rel", sorted(SURVEY_PENDING))
def test_a_pending_survey_is_really_unfinished(rel):
    rows = survey_rows()[rel]
    n_seeds = len(survey.SURVEY_SEEDS)
    assert any(
        not row["seeds"] == row["held"] == n_seeds for row in rows
    ), f"{rel}'s survey is complete: remove it from SURVEY_PENDING"
