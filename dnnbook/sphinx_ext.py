"""A small Sphinx extension for the book build (listed in ``_config.yml``).

* **Alt text for figures.** When a notebook shows a figure, the course style
  (:mod:`dnnbook.plotting`) stores a description of it in the PNG output's
  metadata. myst-nb does not read that key, so this extension copies it onto
  the rendered ``<img>`` as its alt text: a screen reader hears what the figure
  shows instead of a file name.
* **Launch buttons only with a repository.** The Binder and Colab buttons are
  built from ``repository.url`` in ``_config.yml``. While it is empty, the
  theme would fail on the launch-button settings, so they are dropped: the
  pages show no launch buttons rather than dead ones.
* **Table headers.** pandas leaves empty ``<th>`` cells in the corner of a
  table (``&nbsp;`` in a Styler, nothing in ``DataFrame.to_html``). An empty
  header cell tells a screen reader nothing (axe: ``empty-table-header``), so
  they become plain ``<td>`` cells.
* **Check lines that wrap, claims in a labelled box.** An output whose lines
  start with a check mark (``claim``, the exercises' self-checks) gets the class
  ``check-lines``, so its long lines wrap instead of scrolling sideways; one
  from a cell that calls ``claim(`` also gets ``claims``, which ``course.css``
  shows as one labelled block: the evidence behind the page's sentences, easy
  to find and easy to skip.
"""

from __future__ import annotations

import hashlib
import json
import re
from binascii import a2b_base64
from functools import lru_cache
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

from dnnbook.plotting import FIGURE_META_KEY

_EMPTY_TH = re.compile(r"<th(?P<attrs>(?:\s+[^>]*)?)>(?:\s|&nbsp;)*</th>")


@lru_cache(maxsize=64)
def _figure_metadata(path: str, mtime: float) -> dict[str, dict]:
    found = {}
    for cell in json.loads(Path(path).read_text())["cells"]:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            meta = output.get("metadata", {}).get("image/png", {})
            if png and FIGURE_META_KEY in meta:
                digest = hashlib.sha256(a2b_base64(png)).hexdigest()
                found[digest] = meta[FIGURE_META_KEY]
    return found


def figure_metadata(path: Path) -> dict[str, dict]:
    """sha256 of each figure's PNG -> what the course style recorded about it.

    myst-nb names every image it writes after the sha256 of its bytes, so the
    digest ties a rendered ``<img>`` to its output whatever the order of outputs.
    """
    return _figure_metadata(str(path), path.stat().st_mtime)


def _untagged_header(match: re.Match) -> str:
    attrs = match["attrs"] or ""
    return f"<td{attrs}></td>"


class NotebookFigureAltText(SphinxTransform):
    default_priority = 400

    def apply(self, **kwargs) -> None:
        source = Path(self.env.doc2path(self.env.docname))
        if source.suffix != ".ipynb":
            return
        described = figure_metadata(source)
        for image in self.document.findall(nodes.image):
            digest = Path(image.get("uri", "")).stem
            if described.get(digest, {}).get("alt"):
                image["alt"] = described[digest]["alt"]


class TableHeaderCells(SphinxTransform):
    default_priority = 400

    def apply(self, **kwargs) -> None:
        for raw in self.document.findall(nodes.raw):
            if raw.get("format") == "html" and "<th" in raw.astext():
                text = _EMPTY_TH.sub(_untagged_header, raw.astext())
                raw.children = [nodes.Text(text)]


CHECK_MARKS = ("✓ ", "✗ ", "✎ ", "⏭ ")


def has_check_lines(text: str) -> bool:
    return any(line.startswith(CHECK_MARKS) for line in text.splitlines())


class CheckOutputs(SphinxTransform):
    default_priority = 400

    def apply(self, **kwargs) -> None:
        for cell in self.document.findall(nodes.container):
            if "cell" not in cell["classes"]:
                continue
            source = "".join(
                block.astext()
                for part in cell.children
                if "cell_input" in part.get("classes", [])
                for block in part.findall(nodes.literal_block)
            )
            for part in cell.children:
                if "cell_output" not in part.get("classes", []):
                    continue
                for block in part.findall(nodes.literal_block):
                    if has_check_lines(block.astext()):
                        block["classes"].append("check-lines")
                        if "claim(" in source:
                            block["classes"].append("claims")


def drop_launch_buttons_without_repository(app: Sphinx, config) -> None:
    options = config.html_theme_options
    if not str(options.get("repository_url") or "").strip():
        options.pop("launch_buttons", None)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", drop_launch_buttons_without_repository)
    app.add_transform(NotebookFigureAltText)
    app.add_transform(TableHeaderCells)
    app.add_transform(CheckOutputs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
