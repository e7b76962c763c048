"""Code style and figure style: what keeps the rendered pages readable.

* Every notebook and the package are formatted with ruff, and no notebook code
  line is longer than the book's code column (pyproject.toml says why 76).
* The plotting palette stays distinct for readers with a colour-vision
  deficiency, and figure text contrasts with the figure's background.
* Figures describe themselves for screen readers; counted axes get whole ticks.
"""

import itertools
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dnnbook import notebooks as nbs  # noqa: E402
from dnnbook import plotting  # noqa: E402
from dnnbook.progress import final_state  # noqa: E402

ROOT = nbs.repo_root()
RUFF = Path(sys.executable).parent / "ruff"


def ruff(*args):
    return subprocess.run(
        [str(RUFF), *args], cwd=ROOT, capture_output=True, text=True
    )


def test_code_is_formatted_with_ruff():
    done = ruff("format", "--check", ".")
    assert done.returncode == 0, (
        "unformatted code (run `.venv/bin/ruff format .`):\n"
        + done.stdout[-3000:]
        + done.stderr[-1000:]
    )


def test_ruff_lint_passes_and_notebook_lines_fit_the_column():
    done = ruff("check", "--output-format", "concise", ".")
    assert done.returncode == 0, (
        "ruff check found problems (E501: a line wider than the book's "
        "code column):\n" + done.stdout[-3000:]
    )


def test_the_lint_would_catch_a_long_notebook_line(tmp_path):
    nb = nbs.read(ROOT / "notebooks" / "05_gradient_clipping.ipynb")
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.source += "\nx = " + " + ".join(["1"] * 40)
    import nbformat

    target = tmp_path / "notebooks" / "long.ipynb"
    target.parent.mkdir()
    nbformat.write(nb, str(target))
    done = ruff(
        "check",
        "--config",
        str(ROOT / "pyproject.toml"),
        "--select",
        "E501",
        str(target),
    )
    assert done.returncode != 0 and "E501" in done.stdout


# --------------------------------------------------------------- colour vision

# Machado, Oliveira & Fernandes (2009), "A physiologically-based model for
# simulation of color vision deficiency", severity 1.0; applied to linear RGB.
MACHADO_2009 = {
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
}
#: CIE76 colour difference that counts as clearly distinct. 2.3 is a just
#: noticeable difference; thin plot lines need far more, so we ask for 15.
MIN_DELTA_E = 15.0


def _linear(hex_colour):
    rgb = np.array(
        [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    )
    return np.where(
        rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4
    )


def _lab(linear_rgb):
    to_xyz = np.array(
        [
            [0.4124564, 0.3575761, 0.1804375],
            [0.2126729, 0.7151522, 0.0721750],
            [0.0193339, 0.1191920, 0.9503041],
        ]
    )
    xyz = to_xyz @ linear_rgb / np.array([0.95047, 1.0, 1.08883])
    f = np.where(
        xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116
    )
    return np.array(
        [116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])]
    )


def closest_pair_under(deficiency, colours):
    matrix = MACHADO_2009[deficiency]
    labs = [_lab(np.clip(matrix @ _linear(c), 0, 1)) for c in colours]
    return min(
        (float(np.linalg.norm(labs[i] - labs[j])), colours[i], colours[j])
        for i, j in itertools.combinations(range(len(colours)), 2)
    )


@pytest.mark.parametrize("deficiency", sorted(MACHADO_2009))
def test_palette_stays_distinct_under_colour_vision_deficiency(deficiency):
    distance, a, b = closest_pair_under(deficiency, plotting.OKABE_ITO[:8])
    assert distance >= MIN_DELTA_E, (
        f"under simulated {deficiency}, {a} and {b} differ by only "
        f"ΔE {distance:.1f}"
    )


def test_the_colour_vision_check_rejects_matplotlibs_default_palette():
    tab10 = [matplotlib.colors.to_hex(f"tab:{c}") for c in ("red", "green")]
    distance, _, _ = closest_pair_under("deuteranopia", tab10)
    assert distance < MIN_DELTA_E  # red and green: the classic confusion


def _luminance(colour):
    return float(
        np.dot(
            [0.2126, 0.7152, 0.0722],
            _linear(matplotlib.colors.to_hex(colour)),
        )
    )


def test_figure_text_contrast_meets_wcag_aa():
    """Every text colour of the style against the opaque figure background."""
    with matplotlib.rc_context(plotting.COURSE_STYLE):
        rc = matplotlib.rcParams
        background = rc["figure.facecolor"]
        texts = {
            "text": rc["text.color"],
            "axis labels": rc["axes.labelcolor"],
            "titles": rc["axes.titlecolor"],
            "x ticks": rc["xtick.labelcolor"],
            "y ticks": rc["ytick.labelcolor"],
            "legend": rc["legend.labelcolor"],
        }
        inherited = {
            "x ticks": rc["xtick.color"],
            "y ticks": rc["ytick.color"],
            "titles": rc["text.color"],
            "legend": rc["text.color"],
        }
    for what, colour in texts.items():
        if colour in ("inherit", "auto", None):
            colour = inherited.get(what, rc["text.color"])
        light, dark = sorted(
            [_luminance(colour), _luminance(background)], reverse=True
        )
        ratio = (light + 0.05) / (dark + 0.05)
        assert ratio >= 4.5, (
            f"{what}: {colour} on {background}: {ratio:.1f}:1"
        )


def test_more_than_three_series_also_differ_in_line_style():
    cycle = list(plotting.COURSE_STYLE["axes.prop_cycle"])
    styles = [entry["linestyle"] for entry in cycle[:4]]
    assert len(set(styles)) == 4, styles
    pairs = {(entry["color"], entry["linestyle"]) for entry in cycle}
    assert len(pairs) == len(cycle)


# ---------------------------------------------------------- figure descriptions


def two_panel_figure():
    with matplotlib.rc_context(plotting.COURSE_STYLE):
        fig, (left, right) = plt.subplots(1, 2)
        left.plot([1, 2, 3], label="ReLU")
        left.plot([3, 2, 1], label="ELU")
        left.set(xlabel="epoch", ylabel="loss", title="ELU converges")
        left.legend()
        right.plot([0.1, 0.2], [1, 2])
        right.set(xlabel="learning rate", ylabel="accuracy")
        fig.suptitle(r"Two runs of $\sigma$ nets")
    return fig


def test_a_figure_is_described_panel_by_panel():
    fig = two_panel_figure()
    text = plotting.describe_figure(fig)
    assert text == (
        "Figure: Two runs of sigma nets. "
        "Left panel: ELU converges; loss against epoch; series: ReLU, ELU. "
        "Right panel: accuracy against learning rate."
    )
    plt.close(fig)


def test_panels_are_named_by_their_layout():
    with matplotlib.rc_context(plotting.COURSE_STYLE):
        fig, (top, bottom) = plt.subplots(2, 1)
        top.plot([1, 2])
        top.set_title("loss")
        bottom.plot([2, 1])
        bottom.set_title("accuracy")
        assert plotting.describe_figure(fig) == (
            "Figure: Top panel: loss. Bottom panel: accuracy."
        )
        grid = plt.subplots(2, 2)[0]
        for i, ax in enumerate(grid.axes):
            ax.imshow(np.eye(3))
            ax.set_title(f"digit {i}")
        assert plotting.describe_figure(grid).startswith(
            "Figure: Panel 1: digit 0; an image. Panel 2: digit 1; an image."
        )
    plt.close("all")


def test_counted_axes_get_whole_number_ticks():
    fig = two_panel_figure()
    left, right = fig.axes
    left.set_xlim(0, 2.5)
    plotting.count_axes_get_integer_ticks(fig)
    fig.canvas.draw()
    ticks = left.get_xticks()
    assert np.allclose(ticks, np.round(ticks)), ticks
    assert not np.allclose(right.get_xticks(), np.round(right.get_xticks()))
    plt.close(fig)


@pytest.mark.parametrize(
    "label, counted",
    [
        ("epoch", True),
        ("training step", True),
        ("hidden layer (1 = closest to the input)", True),
        ("validation accuracy after 3 epoch(s) on 20,000 images", False),
        ("mean of the layer's outputs", False),
        ("seconds of training (mean epoch time × epochs)", False),
    ],
)
def test_only_axes_that_count_things_get_whole_ticks(label, counted):
    assert bool(plotting.COUNTED.search(label)) == counted


def test_smallest_font_is_the_styles_minimum():
    fig = two_panel_figure()
    px = plotting.smallest_font_px(fig)
    assert px == pytest.approx(
        plotting.MIN_FONT_PT * fig.dpi / 72, abs=0.01
    )
    plt.close(fig)


def test_progress_bars_keep_their_final_state_only():
    text = "runs: 0/3 |   | 00:00\rruns: 1/3 |#  | 00:01\rruns: 3/3 |###| 00:02\n"
    assert final_state(text) == "runs: 3/3 |###| 00:02\n"
    assert final_state("a\nb\n") == "a\nb\n"


# ------------------------------------------------------------ plumbing hidden


@pytest.mark.parametrize(
    "path",
    nbs.executed_notebooks(ROOT),
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_glue_calls_and_test_markers_stay_out_of_sight(path):
    nb = nbs.read(path)
    for i, cell in enumerate(nbs.code_cells(nb), 1):
        tags = cell.metadata.get("tags", [])
        assert "NBVAL" not in cell.source, (
            f"{path.name} In[{i}]: use the cell tag nbval-check-output, "
            "not a comment in the code"
        )
        if "glue(" in cell.source:
            assert nbs.is_glue_only(cell.source), (
                f"{path.name} In[{i}]: move the glue(...) calls to a cell "
                "of their own"
            )
            assert "remove-cell" in tags, (
                f"{path.name} In[{i}]: tag the glue cell remove-cell"
            )
        if "papermill" in cell.source.lower():
            pytest.fail(f"{path.name} In[{i}] mentions papermill")


def test_is_glue_only():
    assert nbs.is_glue_only("glue('a', 1, display=False)")
    assert nbs.is_glue_only(
        "for k, v in d.items():\n    key = k.lower()\n    glue(key, v)"
    )
    assert not nbs.is_glue_only("x = 1\nglue('a', x)")
    assert not nbs.is_glue_only("")
