"""One plotting style for every figure in the course."""

import matplotlib as mpl

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
