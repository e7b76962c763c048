"""One plotting style for every figure in the course, and alt text for each figure.

The style is sized for the book's text column (about 690 CSS px wide): a figure
at most ``MAX_FIGURE_WIDTH_IN`` inches wide, with text no smaller than
``MIN_FONT_PT``, shows its smallest text at 9 CSS px or more. Colours come from
the Okabe–Ito palette, designed to stay distinct for readers with a
colour-vision deficiency, and lines also cycle through four line styles, so
that series are not told apart by colour alone.

When a figure is shown in Jupyter, :func:`use_course_style` also attaches to
the PNG output a description of the figure (its titles, axes and series) and
the size of its smallest text; the book uses the description as the image's
alt text (:mod:`dnnbook.sphinx_ext`). Axes labelled with something counted
(epochs, layers, steps, ...) get whole-number ticks.
"""

from __future__ import annotations

import io
import re

import matplotlib as mpl
import numpy as np
from cycler import cycler

from dnnbook.notebooks import ipython_shell

#: Okabe & Ito (2008), "Color Universal Design", reordered so that the first colours
#: contrast most with a white background (the yellow comes last).
OKABE_ITO = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
]
LINE_STYLES = ["-", "--", "-.", ":"]

#: The smallest text size in the style (tick labels, legends).
MIN_FONT_PT = 10
#: The widest figure a notebook should ask for: wider ones are shrunk into the
#: column, and their text with them.
MAX_FIGURE_WIDTH_IN = 9.0

COURSE_STYLE = {
    "figure.figsize": (8.0, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.facecolor": "white",  # opaque: figures stay legible in dark mode
    "figure.constrained_layout.use": True,
    "axes.prop_cycle": cycler(color=OKABE_ITO)
    + cycler(linestyle=LINE_STYLES * 2),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "figure.titlesize": 12,
    "figure.titleweight": "bold",
    "axes.labelsize": 11,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "legend.title_fontsize": MIN_FONT_PT,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "image.cmap": "viridis",
}

#: Metadata key, inside a PNG output's metadata, for what the figure describer found.
FIGURE_META_KEY = "dnnbook"


def use_course_style() -> None:
    """Apply the course's matplotlib settings, and describe every figure Jupyter shows."""
    mpl.rcParams.update(COURSE_STYLE)
    _register_figure_formatter()


def plot_runs(ax, groups, colors=None) -> None:
    """One point per run and, beside it in black, the mean ± standard deviation of each group.

    ``groups`` maps a group's name (its tick label) to the values of its runs, e.g. the
    test accuracy of each seed; ``colors`` optionally gives one color per group.
    """
    for position, (name, values) in enumerate(groups.items()):
        values = np.asarray(values, dtype=float)
        color = (
            OKABE_ITO[position % len(OKABE_ITO)]
            if colors is None
            else colors[position]
        )
        ax.scatter(
            np.full(len(values), position),
            values,
            alpha=0.7,
            color=color,
            label="one run" if position == 0 else None,
        )
        spread = values.std(ddof=1) if len(values) > 1 else 0.0
        ax.errorbar(
            position + 0.15,
            values.mean(),
            yerr=spread,
            fmt="o",
            color="black",
            capsize=4,
            label="mean ± std" if position == 0 else None,
        )
    ax.set_xticks(range(len(groups)), list(groups))


# ------------------------------------------------------------------ figure descriptions


def _clean(text: str) -> str:
    """Plain words from a label: no math delimiters or TeX commands (\\sigma -> sigma)."""
    text = re.sub(r"\\(\w+)", r"\1", text.replace("$", ""))
    return " ".join(text.replace("{", "").replace("}", "").split())


def _series(ax) -> list[str]:
    legend = ax.get_legend()
    if legend is None:
        return []
    return [
        _clean(t.get_text())
        for t in legend.get_texts()
        if t.get_text().strip()
    ]


def _describe_axes(ax) -> str:
    parts = []
    title = _clean(ax.get_title())
    if title:
        parts.append(title)
    x, y = _clean(ax.get_xlabel()), _clean(ax.get_ylabel())
    if x and y:
        parts.append(f"{y} against {x}")
    elif x or y:
        parts.append(f"axis: {x or y}")
    if ax.images:
        parts.append("an image")
    series = _series(ax)
    if series:
        shown = ", ".join(series[:8]) + (
            f" and {len(series) - 8} more" if len(series) > 8 else ""
        )
        parts.append(f"series: {shown}")
    return "; ".join(parts)


_ACROSS = {2: ["Left", "Right"], 3: ["Left", "Middle", "Right"]}
_DOWN = {2: ["Top", "Bottom"], 3: ["Top", "Middle", "Bottom"]}


def _panel_names(axes) -> list[str]:
    """'Left panel', 'Right panel' ... where the layout says so, else 'Panel 1' ..."""
    if len(axes) == 1:
        return [""]
    specs = [ax.get_subplotspec() for ax in axes]
    if all(specs):
        rows = {spec.rowspan.start for spec in specs}
        columns = {spec.colspan.start for spec in specs}
        if len(rows) == 1 and len(axes) in _ACROSS:
            return [f"{n} panel" for n in _ACROSS[len(axes)]]
        if len(columns) == 1 and len(axes) in _DOWN:
            return [f"{n} panel" for n in _DOWN[len(axes)]]
    return [f"Panel {i}" for i in range(1, len(axes) + 1)]


def describe_figure(fig) -> str:
    """One sentence for the figure's title, then one per panel: titles, axes and series."""
    axes = [
        ax
        for ax in fig.axes
        if ax.get_visible()
        and ax.get_label() != "<colorbar>"
        and ax.has_data()
    ]
    sentences = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        sentences.append(_clean(suptitle.get_text()))
    for name, ax in zip(_panel_names(axes), axes):
        text = _describe_axes(ax) or "an unlabelled plot"
        sentences.append(f"{name}: {text}" if name else text)
    description = ". ".join(s.rstrip(".") for s in sentences if s)
    return (
        f"Figure: {description}."
        if description
        else "Figure without titles or labels."
    )


def smallest_font_px(fig) -> float:
    """The size, in pixels of the saved PNG, of the smallest visible text in the figure."""
    from matplotlib.text import Text

    sizes = [
        t.get_fontsize()
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip()
    ]
    return round(min(sizes, default=MIN_FONT_PT) * fig.dpi / 72, 2)


#: Axis labels that name something counted (epochs, layers, steps...): such axes
#: get whole-number ticks. Only the label's head counts: "validation accuracy after
#: 3 epochs" is an accuracy axis.
COUNTED = re.compile(
    r"^\s*(training |hidden |number of )?"
    r"(epochs?|layers?|steps?|batch(es)?|runs?|trials?|passes)\b",
    re.I,
)


def count_axes_get_integer_ticks(fig) -> None:
    """Whole-number ticks on every linear axis whose label names something counted."""
    from matplotlib.ticker import AutoLocator, MaxNLocator

    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            counted = (
                COUNTED.search(axis.get_label_text())
                and axis.get_scale() == "linear"
            )
            if counted and isinstance(
                axis.get_major_locator(), AutoLocator
            ):
                axis.set_major_locator(MaxNLocator(integer=True))


def _png_with_description(fig):
    count_axes_get_integer_ticks(fig)
    buffer = io.BytesIO()
    fig.canvas.print_figure(
        buffer,
        format="png",
        bbox_inches="tight",
        facecolor=fig.get_facecolor(),
    )
    meta = {
        FIGURE_META_KEY: {
            "alt": describe_figure(fig),
            "min_font_px": smallest_font_px(fig),
        }
    }
    return buffer.getvalue(), meta


def _register_figure_formatter() -> None:
    shell = ipython_shell()
    if shell is None:
        return
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    # Load the backend now: the inline backend registers its own PNG formatter when it is
    # first loaded, which would replace ours.
    plt.switch_backend(mpl.get_backend())

    def install(*_):
        # Re-asserted before every cell, in case something reloads the backend.
        shell.display_formatter.formatters["image/png"].for_type(
            Figure, _png_with_description
        )

    install()
    _register_table_text(shell)
    if install.__qualname__ not in {
        getattr(f, "__qualname__", "")
        for f in shell.events.callbacks["pre_execute"]
    }:
        shell.events.register("pre_execute", install)


def _register_table_text(shell) -> None:
    """A styled table's plain-text form is the formatted table, not ``<Styler at 0x…>``."""
    try:
        from pandas.io.formats.style import Styler
    except ImportError:
        return

    def as_text(styler, printer, cycle):
        printer.text(styler.to_string(delimiter="  "))

    shell.display_formatter.formatters["text/plain"].for_type(
        Styler, as_text
    )
