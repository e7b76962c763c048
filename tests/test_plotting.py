"""The shared plot of per-run results."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402
import numpy as np  # noqa: E402

from dnnbook.plotting import plot_runs  # noqa: E402


def test_plot_runs_draws_every_run_and_the_mean_and_sample_std_per_group():
    fig, ax = plt.subplots()
    plot_runs(
        ax,
        {"scratch": [0.80, 0.90, 0.85], "reused": [0.95]},
        colors=["C0", "C1"],
    )
    points = [
        c.get_offsets()
        for c in ax.collections
        if isinstance(c, PathCollection)
    ]
    assert sorted(len(p) for p in points) == [1, 3]
    means = [
        line.get_ydata()[0] for line in ax.lines if line.get_marker() == "o"
    ]
    assert np.allclose(means, [0.85, 0.95])
    bars = [
        seg
        for c in ax.collections
        if isinstance(c, LineCollection)
        for seg in c.get_segments()
    ]
    half_widths = sorted(round((s[1][1] - s[0][1]) / 2, 6) for s in bars)
    assert half_widths[-1] == round(np.std([0.80, 0.90, 0.85], ddof=1), 6)
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "scratch",
        "reused",
    ]
    plt.close(fig)
