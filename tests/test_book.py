"""The book builds from the committed outputs with warnings as errors."""

import os
import re
from html import unescape
from pathlib import Path

import pytest

from dnnbook import notebooks as nbs

ROOT = nbs.repo_root()


def test_book_builds_without_warnings(built):
    if os.environ.get("DNNBOOK_BUILT_HTML"):
        pytest.skip("DNNBOOK_BUILT_HTML reuses a book built elsewhere")
    proc, html = built
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, (
        f"jupyter-book build failed:\n{log[-4000:]}"
    )
    assert "WARNING" not in log, (
        f"the build printed warnings:\n{log[-4000:]}"
    )
    assert (html / "index.html").is_file()


def test_every_notebook_page_is_rendered_with_its_figures(built):
    _, html = built
    for path in nbs.executed_notebooks(ROOT):
        page = html / path.relative_to(ROOT).with_suffix(".html")
        assert page.is_file(), f"{page.name} was not built"
        text = page.read_text()
        images = re.findall(r'<img[^>]+src="([^"]+)"', text)
        assert images, f"{page.name} shows no figure"
        for src in images:
            assert (page.parent / src).is_file(), (
                f"{page.name}: image {src} is missing from the build"
            )


def test_glued_numbers_appear_in_the_text(built):
    _, html = built
    page = (
        html / "notebooks" / "01_vanishing_exploding_gradients.html"
    ).read_text()
    assert re.search(
        r"The slope is at most <span[^>]*>\s*0\.25\s*</span>", page
    ), "the glued maximum sigmoid slope (0.25) is not rendered in the prose"


def test_execution_report_page_lists_the_chapters(built):
    _, html = built
    page = (html / "book" / "execution-report.html").read_text()
    for path in nbs.executed_notebooks(ROOT):
        assert path.stem in page, (
            f"the execution report does not link {path.name}"
        )
    assert "FULL" in page and "TensorFlow" in page


def test_results_page_shows_every_glued_result(built):
    from dnnbook.pages import CHAPTERS, EXERCISES

    _, html = built
    page = (html / "book" / "results.html").read_text()
    assert "{glue" not in page and "::" not in page, (
        "a glue reference was left unrendered"
    )
    rows = re.findall(
        r"<tr[^>]*>\s*<td[^>]*><p>([^<]+)</p></td>\s*<td[^>]*><p>(.*?)</p></td>",
        page,
        re.S,
    )
    shown = {
        unescape(label).strip(): re.sub(r"<[^>]+>", "", cell).strip()
        for label, cell in rows
    }
    expected = [
        result
        for folder, table in (
            ("solutions", EXERCISES),
            ("notebooks", CHAPTERS),
        )
        for name, results in table.items()
        if (ROOT / folder / f"{name}.ipynb").exists()
        for result in results
    ]
    for result in expected:
        value = shown.get(result.label)
        if not result.glued:  # a row that repeats another model's
            assert value == f"same model as {result.same_as}"
            continue
        assert value and re.fullmatch(r"[\d.,]+(e[-+]\d+)?%?", value), (
            f"results page: {result.label!r} shows {value!r}, expected a glued number"
        )


def test_pages_load_no_asset_from_the_internet_and_mathjax_is_local(built):
    _, html = built
    external = re.compile(
        r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//[^"]+"'
    )
    for page in html.rglob("*.html"):
        found = external.findall(page.read_text())
        assert not found, (
            f"{page.relative_to(html)} loads from the internet: {found[:3]}"
        )
    chapter = (
        html / "notebooks" / "01_vanishing_exploding_gradients.html"
    ).read_text()
    scripts = re.findall(r'<script[^>]+src="([^"?]*mathjax[^"?]*)', chapter)
    assert scripts == ["../_static/mathjax/tex-chtml.js"], (
        f"MathJax scripts: {scripts}"
    )
    assert (html / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert (
        html
        / "_static"
        / "mathjax"
        / "output"
        / "chtml"
        / "fonts"
        / "woff-v2"
    ).is_dir()


def test_internal_links_resolve(built):
    _, html = built
    ids_cache = {}

    def ids(page):
        if page not in ids_cache:
            ids_cache[page] = set(
                re.findall(r'\sid="([^"]+)"', page.read_text())
            )
        return ids_cache[page]

    broken, checked = [], 0
    for page in html.rglob("*.html"):
        if page.relative_to(html).parts[0].startswith("_"):
            continue  # theme fragments and sources
        for href in re.findall(
            r'<a\s[^>]*href="([^"]+)"', page.read_text()
        ):
            if re.match(r"^(https?:|mailto:|javascript:)", href):
                continue  # external links are not fetched
            path, _, fragment = href.partition("#")
            target = (
                (page.parent / path.split("?")[0]).resolve()
                if path
                else page
            )
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            if not target.is_file():
                broken.append(
                    f"{page.relative_to(html)} -> {href} (no such file)"
                )
            elif (
                fragment
                and target.suffix == ".html"
                and fragment not in ids(target)
            ):
                broken.append(
                    f"{page.relative_to(html)} -> {href} (no such anchor)"
                )
    assert checked > 50, (
        f"only {checked} internal links found: is the parser broken?"
    )
    assert not broken, "broken internal links:\n" + "\n".join(broken[:20])


def test_no_launch_buttons_while_the_repository_is_unset(built):
    _, html = built
    page = (html / "notebooks" / "05_gradient_clipping.html").read_text()
    assert "mybinder.org" not in page and "colab.research" not in page


def test_launch_buttons_follow_the_repository_url(tmp_path):
    """A book built with a sample `repository.url` gets Binder and Colab buttons."""
    import shutil
    import subprocess
    import sys

    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["repository"]["url"] = (
        "https://github.com/example-org/dnn-course"
    )
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config))
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n"
        "  - file: notebooks/05_gradient_clipping\n"
    )
    (tmp_path / "intro.md").write_text("# A sample book\n")
    (tmp_path / "notebooks").mkdir()
    shutil.copy(
        ROOT / "notebooks" / "05_gradient_clipping.ipynb",
        tmp_path / "notebooks",
    )
    for folder in ("_theme", "_templates"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "_vendor").mkdir()
    jb = Path(sys.executable).parent / "jupyter-book"
    proc = subprocess.run(
        [str(jb), "build", str(tmp_path)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    page = (
        tmp_path
        / "_build"
        / "html"
        / "notebooks"
        / "05_gradient_clipping.html"
    ).read_text()
    links = set(re.findall(r'href="(https://[^"]+)"', page))
    notebook = "notebooks/05_gradient_clipping.ipynb"
    assert (
        "https://mybinder.org/v2/gh/example-org/dnn-course/main"
        f"?urlpath=lab/tree/{notebook}"
    ) in links, links
    assert (
        "https://colab.research.google.com/github/example-org/dnn-course/"
        f"blob/main/{notebook}"
    ) in links, links
