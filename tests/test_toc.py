"""The table of contents and the notebook folders agree."""

from pathlib import Path

import yaml

from dnnbook.notebooks import repo_root

ROOT = repo_root()
NOTEBOOK_DIRS = ("notebooks", "exercises", "solutions")


def toc_entries() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    entries = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                entries.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc.get("parts", []))
    return entries


def test_every_notebook_is_in_the_toc():
    listed = set(toc_entries())
    notebooks = [p for d in NOTEBOOK_DIRS for p in sorted((ROOT / d).glob("*.ipynb"))]
    assert notebooks, "no notebooks found at all"
    missing = [str(p.relative_to(ROOT)) for p in notebooks
               if p.relative_to(ROOT).with_suffix("").as_posix() not in listed]
    assert not missing, f"add these notebooks to _toc.yml: {missing}"


def test_every_toc_entry_exists():
    missing = [entry for entry in toc_entries()
               if not any((ROOT / f"{entry}{suffix}").is_file() for suffix in (".md", ".ipynb"))]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_exercises_and_solutions_are_twins():
    exercises = {p.name for p in (ROOT / "exercises").glob("*.ipynb")}
    solutions = {p.name for p in (ROOT / "solutions").glob("*.ipynb")}
    assert exercises == solutions, (
        f"exercises without a solution: {sorted(exercises - solutions)}; "
        f"solutions without an exercise: {sorted(solutions - exercises)}"
    )


def test_each_exercise_is_listed_with_its_solution_as_its_section():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    problems = []

    def walk(node):
        if isinstance(node, dict):
            entry = node.get("file", "")
            if entry.startswith("exercises/"):
                twin = "solutions/" + entry.split("/", 1)[1]
                if twin not in [s.get("file") for s in node.get("sections", [])]:
                    problems.append(f"{entry} needs `sections: [file: {twin}]`")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    assert not problems, "; ".join(problems)
