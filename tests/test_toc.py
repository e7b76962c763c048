"""The table of contents and the notebook folders agree."""

import yaml

from dnnbook.notebooks import repo_root

ROOT = repo_root()
NOTEBOOK_DIRS = ("notebooks", "exercises", "solutions")


def toc_nodes(node=None):
    """Every entry of _toc.yml that names a file (a dict with a 'file' key), depth first."""
    if node is None:
        node = yaml.safe_load((ROOT / "_toc.yml").read_text()).get(
            "parts", []
        )
    if isinstance(node, dict):
        if "file" in node:
            yield node
        for value in node.values():
            yield from toc_nodes(value)
    elif isinstance(node, list):
        for item in node:
            yield from toc_nodes(item)


def toc_entries() -> list[str]:
    root = yaml.safe_load((ROOT / "_toc.yml").read_text())["root"]
    return [root] + [node["file"] for node in toc_nodes()]


def test_every_notebook_is_in_the_toc():
    listed = set(toc_entries())
    notebooks = [
        p for d in NOTEBOOK_DIRS for p in sorted((ROOT / d).glob("*.ipynb"))
    ]
    assert notebooks, "no notebooks found at all"
    missing = [
        str(p.relative_to(ROOT))
        for p in notebooks
        if p.relative_to(ROOT).with_suffix("").as_posix() not in listed
    ]
    assert not missing, f"add these notebooks to _toc.yml: {missing}"


def test_every_toc_entry_exists():
    missing = [
        entry
        for entry in toc_entries()
        if not any(
            (ROOT / f"{entry}{suffix}").is_file()
            for suffix in (".md", ".ipynb")
        )
    ]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_exercises_and_solutions_are_twins():
    exercises = {p.name for p in (ROOT / "exercises").glob("*.ipynb")}
    solutions = {p.name for p in (ROOT / "solutions").glob("*.ipynb")}
    assert exercises == solutions, (
        f"exercises without a solution: {sorted(exercises - solutions)}; "
        f"solutions without an exercise: {sorted(solutions - exercises)}"
    )


def test_each_exercise_is_listed_with_its_solution_as_its_section():
    problems = []
    for node in toc_nodes():
        entry = node["file"]
        if entry.startswith("exercises/"):
            twin = "solutions/" + entry.split("/", 1)[1]
            if twin not in [
                section.get("file") for section in node.get("sections", [])
            ]:
                problems.append(f"{entry} needs `sections: [file: {twin}]`")
    assert not problems, "; ".join(problems)
