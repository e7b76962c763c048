"""One plotting style for every figure in the course."""

import matplotlib as mpl
import numpy as np

COURSE_STYLE = {
    "figure.figsize": (8.0, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.constrained_layout.use": True,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
}


def use_course_style() -> None:
    """Apply the course's matplotlib settings to every later figure."""
    mpl.rcParams.update(COURSE_STYLE)


def plot_runs(ax, groups, colors=None) -> None:
    """One point per run and, beside it in black, the mean ± standard deviation of each group.

    ``groups`` maps a group's name (its tick label) to the values of its runs, e.g. the
    test accuracy of each seed; ``colors`` optionally gives one color per group.
    """
    for position, (name, values) in enumerate(groups.items()):
        values = np.asarray(values, dtype=float)
        color = None if colors is None else colors[position]
        ax.scatter(np.full(len(values), position), values, alpha=0.6, color=color)
        spread = values.std(ddof=1) if len(values) > 1 else 0.0
        ax.errorbar(position + 0.15, values.mean(), yerr=spread, fmt="o", color="black", capsize=4)
    ax.set_xticks(range(len(groups)), list(groups))
