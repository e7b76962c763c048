"""Plumbing for the *Training Deep Neural Networks* course.

The package holds what every notebook needs but nobody needs to read twice:
dataset loading (offline copies or ``keras.datasets``), the FAST/FULL switch,
a consistent plotting style and the notebook runner. Teaching code stays in
the notebooks.
"""

from dnnbook import checks
from dnnbook.data import (
    DatasetError,
    data_source,
    load_cifar10,
    load_fashion_mnist,
    load_mnist,
)
from dnnbook.todo import todo
from dnnbook.modes import fast_mode_default
from dnnbook.progress import epoch_progress, track

__all__ = [
    "checks",
    "DatasetError",
    "epoch_progress",
    "data_source",
    "fast_mode_default",
    "load_cifar10",
    "load_fashion_mnist",
    "load_mnist",
    "todo",
    "track",
]

__version__ = "0.1.0"
