"""The seed survey: claims gathered per seed, a resumable run, the robustness page."""

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from dnnbook import notebooks as nbs
from dnnbook import survey

CLAIMS = (
    'claim("BN beats " "plain", bn > plain, bn=bn, plain=plain)\n'
    "x = 1\n"
    'checks.claim("SELU is level", True)\n'
)


def notebook(tmp_path: Path, source: str = CLAIMS) -> Path:
    path = tmp_path / "notebooks" / "01_demo.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=[new_code_cell(source)]), path)
    return path


def test_claim_statements_are_read_from_the_code(tmp_path):
    nb = nbs.read(notebook(tmp_path))
    assert survey.claim_statements(nb) == [
        "BN beats plain",
        "SELU is level",
    ]


def fake_execute(outcomes):
    """An `execute` that records `outcomes` as the kernel's claim() would."""

    def execute(
        path, out, fast, env_info, failed_dir=None, parameters=None
    ):
        assert not fast and parameters["SEED"] in (1, 2)
        import os

        log = Path(os.environ["DNNBOOK_CLAIMS_LOG"])
        assert os.environ["DNNBOOK_CLAIMS"] == "record"
        with log.open("a") as f:
            for statement, held, numbers in outcomes[parameters["SEED"]]:
                record = {
                    "statement": statement,
                    "held": held,
                    "numbers": numbers,
                }
                f.write(json.dumps(record) + "\n")
        nbformat.write(nbs.read(path), out)
        return {"duration_s": 1.5}

    return execute


OUTCOMES = {
    1: [
        ("BN beats plain", True, {"bn": "0.9", "plain": "0.8"}),
        ("SELU is level", True, {}),
    ],
    2: [
        ("BN beats plain", False, {"bn": "0.7", "plain": "0.8"}),
        ("SELU is level", True, {}),
    ],
}


def test_a_survey_result_is_kept_until_the_code_changes(
    tmp_path, monkeypatch
):
    path = notebook(tmp_path)
    rel, out = path.relative_to(tmp_path), tmp_path / "seeds"
    monkeypatch.delenv("DNNBOOK_CLAIMS", raising=False)
    result = survey.run_one(path, rel, 1, out, fake_execute(OUTCOMES), {})
    assert result["claims"][0]["held"] and result["error"] is None
    # the environment is restored: a later make run stops on a false claim
    import os

    assert "DNNBOOK_CLAIMS" not in os.environ
    done = survey.result_path(out, 1, rel)
    code = nbs.code_hash(nbs.read(path))
    assert survey.is_done(done, code)
    notebook(tmp_path, CLAIMS + "y = 2\n")  # the code changed: run it again
    assert not survey.is_done(done, nbs.code_hash(nbs.read(path)))


def survey_of_two_seeds(path, tmp_path, monkeypatch):
    """Seeds 1 and 2 surveyed with OUTCOMES, gathered as make robustness does."""
    rel, out = path.relative_to(tmp_path), tmp_path / "seeds"
    monkeypatch.setattr(survey, "SURVEY_SEEDS", (1, 2))
    for seed in (1, 2):
        survey.run_one(path, rel, seed, out, fake_execute(OUTCOMES), {})
    return survey.gather(out, [path], tmp_path)


def test_the_page_counts_claims_held_on_every_seed(tmp_path, monkeypatch):
    path = notebook(tmp_path)
    gathered = survey_of_two_seeds(path, tmp_path, monkeypatch)
    page = survey.robustness_markdown(gathered, tmp_path)
    assert "**1 of 2 claims held on every one of the 2 seeds**" in page
    assert "| BN beats plain | 1 of 2 | bn 0.7 – 0.9; plain 0.8 |" in page
    assert "| SELU is level | 2 of 2 |  |" in page


def test_a_claim_added_after_the_survey_shows_as_not_surveyed(
    tmp_path, monkeypatch
):
    path = notebook(tmp_path)
    gathered = survey_of_two_seeds(path, tmp_path, monkeypatch)
    notebook(tmp_path, CLAIMS + 'claim("a new one", True)\n')
    page = survey.robustness_markdown(gathered, tmp_path)
    assert "| a new one | 0 of 0 (not yet surveyed on every seed) |" in page
    assert "; 1 not yet surveyed on every seed." in page


def test_seeds_and_notebooks_parse_in_any_order(monkeypatch):
    from dnnbook import runner

    seen = []
    monkeypatch.setattr(
        runner, "run_seeds", lambda args, root: seen.append(args) or 0
    )
    for argv in (
        ["seeds", "--seeds", "1001 2002", "notebooks/a.ipynb"],
        ["seeds", "notebooks/a.ipynb", "--seeds", "1001,2002"],
    ):
        assert runner.main(argv) == 0
    assert [(a.seeds, a.notebooks) for a in seen] == [
        ([1001, 2002], ["notebooks/a.ipynb"])
    ] * 2
    assert runner.main(["seeds"]) == 0  # default: the fixed seeds
    assert seen[-1].seeds == list(survey.SURVEY_SEEDS)


def committed_notebook(
    tmp_path: Path, printed: str, source: str = CLAIMS
) -> Path:
    """A notebook whose outputs are a FULL run of its code, as make run leaves it."""
    from nbformat.v4 import new_output

    path = notebook(tmp_path, source)
    nb = nbs.read(path)
    nb.cells[0].outputs = [
        new_output("stream", name="stdout", text=printed)
    ]
    nb.metadata[nbs.META_KEY] = {
        "execution": {
            "mode": "FULL",
            "duration_s": 12.5,
            "code_sha256": nbs.code_hash(nb),
        }
    }
    nbformat.write(nb, path)
    return path


def test_the_committed_seed_is_read_from_the_committed_outputs(
    tmp_path, monkeypatch
):
    printed = (
        "training...\n"
        "✓ BN beats plain (bn = 0.9123, plain = 0.8, verdict = a, b)\n"
        "✓ SELU is level\n"
    )
    path = committed_notebook(tmp_path, printed)
    rel, out = path.relative_to(tmp_path), tmp_path / "seeds"
    assert survey.has_result(out, survey.COMMITTED_SEED, path, rel)
    assert not survey.has_result(out, 1001, path, rel)
    gathered = survey.gather(out, [path], tmp_path)
    (run,) = gathered["notebooks"][rel.as_posix()]["runs"]
    assert run["seed"] == survey.COMMITTED_SEED
    assert run["duration_s"] == 12.5
    assert run["claims"] == [
        {
            "statement": "BN beats plain",
            "held": True,
            "numbers": {"bn": "0.9123", "plain": "0.8", "verdict": "a, b"},
        },
        {"statement": "SELU is level", "held": True, "numbers": {}},
    ]
    # outputs of older code are no result: the committed seed is run again
    nb = nbs.read(path)
    nb.cells[0].source += "y = 2\n"
    nbformat.write(nb, path)
    assert survey.committed_result(path, rel) is None
    assert not survey.has_result(out, survey.COMMITTED_SEED, path, rel)


def test_glued_values_get_their_range_across_the_seeds():
    runs = [
        {
            "glued": {
                "acc": "0.81",
                "verdict": "'every run above'",
                "n": "3",
            }
        },
        {"glued": {"acc": "0.79", "verdict": "'overlap'", "n": "3"}},
        {"glued": {"acc": "0.8", "verdict": "'overlap'"}},
    ]
    assert survey.glued_rows(runs) == [
        ("acc", "0.79 – 0.81"),
        ("verdict", "2 different texts on 3 seeds"),
        ("n", "3"),
    ]


def test_a_claim_written_as_an_f_string_is_surveyed_too(
    tmp_path, monkeypatch
):
    source = (
        'claim(f"in epochs 2 to {half:d}, 1cycle is below", gap > 0, gap=gap)\n'
        'claim("in epochs 2 to 9, BN is below", True)\n'
    )
    assert survey.claim_statements(
        nbs.read(notebook(tmp_path, source))
    ) == [
        "in epochs 2 to {half}, 1cycle is below",
        "in epochs 2 to 9, BN is below",
    ]
    printed = (
        "✓ in epochs 2 to 9, 1cycle is below (gap = 0.01)\n"
        "✓ in epochs 2 to 9, BN is below\n"
    )
    path = committed_notebook(tmp_path, printed, source)
    rel, out = path.relative_to(tmp_path), tmp_path / "seeds"
    monkeypatch.setattr(survey, "SURVEY_SEEDS", (survey.COMMITTED_SEED, 1))
    outcomes = {1: [("in epochs 2 to 7, 1cycle is below", False, {})]}
    survey.run_one(path, rel, 1, out, fake_execute(outcomes), {})
    page = survey.robustness_markdown(
        survey.gather(out, [path], tmp_path), tmp_path
    )
    # the two seeds printed different texts: the page shows the template
    assert (
        "| in epochs 2 to …, 1cycle is below | 1 of 2 | gap 0.01 |" in page
    )
    # a plain statement is not taken for the template's output, nor the
    # other way round
    assert "| in epochs 2 to 9, BN is below | 1 of 1 (not yet" in page


def test_a_claim_called_in_a_loop_gets_a_row_per_text():
    runs = [
        {
            "claims": [
                {
                    "statement": "ReLU is cheap, by far",
                    "held": True,
                    "numbers": {},
                },
                {
                    "statement": "ELU is cheap, by far",
                    "held": s != 2,
                    "numbers": {},
                },
            ]
        }
        for s in (1, 2)
    ]
    rows = survey.claim_rows(["{name}, by far"], runs)
    assert [(r["statement"], r["held"], r["seeds"]) for r in rows] == [
        ("ReLU is cheap, by far", 2, 2),
        ("ELU is cheap, by far", 1, 2),
    ]
