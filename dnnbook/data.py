"""Dataset loading that works offline and says clearly what went wrong.

``load_mnist()``, ``load_fashion_mnist()`` and ``load_cifar10()`` return exactly
what ``keras.datasets.<name>.load_data()`` returns: ``(x_train, y_train),
(x_test, y_test)`` as uint8 NumPy arrays.

* When ``DNNBOOK_DATA_DIR`` names a folder, ``<folder>/<name>.npz`` is read and
  its sha256 checksum verified first (the course's CI and development machines
  have no internet and keep copies there).
* Otherwise ``keras.datasets`` downloads the files once and caches them in
  ``~/.keras/datasets`` (what a learner on a normal machine gets).

Every failure raises :class:`DatasetError` with one message that names the
file and the ways to fix it. Files on disk are only ever read, never changed.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

DATA_DIR_ENV = "DNNBOOK_DATA_DIR"

#: sha256 of each offline copy (see ``shared/datasets/README.md``).
SHA256 = {
    "mnist": "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64",
    "fashion_mnist": "5b6d2c4c694a91887af8ab7d039c04f80af3c29378d731c93a538d2e831aa469",
    "cifar10": "2d646a38a489fbe619d8132edaacc38dd6984fec0b4eb1ab21105a5d2f02bc48",
}

#: What a reader should know about an offline copy that differs from the original.
COPY_NOTES = {
    "cifar10": (
        "this CIFAR-10 copy was rebuilt from JPEG files, so pixel values differ "
        "slightly from the original and accuracies can differ by a fraction of a point"
    ),
}

_ARRAYS = ("x_train", "y_train", "x_test", "y_test")
_verified: dict[tuple[str, int, int], str] = {}


class DatasetError(RuntimeError):
    """A dataset could not be loaded; the message says why and what to do."""


def load_mnist():
    """MNIST handwritten digits: 60,000 + 10,000 images of 28×28 pixels."""
    return _load("mnist")


def load_fashion_mnist():
    """Fashion-MNIST clothing images: 60,000 + 10,000 images of 28×28 pixels."""
    return _load("fashion_mnist")


def load_cifar10():
    """CIFAR-10 colour images: 50,000 + 10,000 images of 32×32×3 pixels."""
    return _load("cifar10")


def data_dir() -> Path | None:
    """The offline data folder named by ``DNNBOOK_DATA_DIR``, or None."""
    raw = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(raw).expanduser() if raw else None


def data_source(name: str) -> str:
    """One sentence saying where ``load_<name>()`` takes its data from."""
    _check_name(name)
    folder = data_dir()
    if folder is None:
        return f"{name}: downloaded by keras.datasets (cached in ~/.keras/datasets)"
    text = f"{name}: offline copy {name}.npz from ${DATA_DIR_ENV} (sha256 verified)"
    if name in COPY_NOTES:
        text += f"; note: {COPY_NOTES[name]}"
    return text


def _check_name(name: str) -> None:
    if name not in SHA256:
        known = ", ".join(sorted(SHA256))
        raise DatasetError(
            f"Unknown dataset {name!r}; the course uses {known}."
        )


def _load(name: str):
    _check_name(name)
    folder = data_dir()
    if folder is None:
        return _download(name)
    return _read_offline(name, folder)


def _read_offline(name: str, folder: Path):
    fix = (
        f"either put {name}.npz (the arrays {', '.join(_ARRAYS)}, as "
        f"keras.datasets.{name}.load_data() returns them) into {folder}, or unset "
        f"{DATA_DIR_ENV} so that keras.datasets downloads the data (needs internet)"
    )
    if not folder.is_dir():
        raise DatasetError(
            f"{DATA_DIR_ENV}={folder} is not a folder. To fix it, {fix}."
        )
    path = folder / f"{name}.npz"
    if not path.is_file():
        raise DatasetError(
            f"Dataset file {path} is missing. To fix it, {fix}."
        )
    digest = _sha256(path)
    if digest != SHA256[name]:
        raise DatasetError(
            f"Dataset file {path} has sha256 {digest}, expected {SHA256[name]}: it "
            f"is damaged or a different file (it was left untouched). To fix it, "
            f"replace it with a good copy, or unset {DATA_DIR_ENV} so that "
            f"keras.datasets downloads the data (needs internet)."
        )
    with np.load(path, allow_pickle=False) as npz:
        missing = [key for key in _ARRAYS if key not in npz.files]
        if (
            missing
        ):  # only reachable if SHA256 is edited to a bad file's digest
            raise DatasetError(
                f"Dataset file {path} lacks the arrays {missing}."
            )
        x_train, y_train, x_test, y_test = (npz[key] for key in _ARRAYS)
    return (x_train, y_train), (x_test, y_test)


def _sha256(path: Path) -> str:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _verified:
        sha = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                sha.update(block)
        _verified[key] = sha.hexdigest()
    return _verified[key]


def _download(name: str):
    import keras  # imported here so that the runner and tests stay light

    try:
        return getattr(keras.datasets, name).load_data()
    except (
        Exception
    ) as exc:  # keras raises a bare Exception on network errors
        raise DatasetError(
            f"Could not download {name} with keras.datasets.{name}.load_data() "
            f"({type(exc).__name__}: {exc}). Connect to the internet and try again, "
            f"or set {DATA_DIR_ENV} to a folder that holds {name}.npz."
        ) from None
