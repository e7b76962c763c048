"""The dataset loader: offline copies, checksums, downloads and every error case.

No test here touches the network: an autouse fixture makes any attempt to open
a non-local connection fail loudly.
"""

import hashlib
import os
import socket

import numpy as np
import pytest

import dnnbook
from dnnbook import data

LOADERS = {
    "mnist": dnnbook.load_mnist,
    "fashion_mnist": dnnbook.load_fashion_mnist,
    "cifar10": dnnbook.load_cifar10,
}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    real_connect = socket.socket.connect

    def guarded(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and (
            host.startswith("127.") or host in ("localhost", "::1")
        ):
            return real_connect(sock, address)
        raise AssertionError(
            f"a test tried to reach the network ({address!r})"
        )

    monkeypatch.setattr(socket.socket, "connect", guarded)


def write_fake(folder, name="mnist", n=6):
    """A tiny dataset file in load_data() layout; returns (path, arrays)."""
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 2, dtype=np.uint8),
    }
    path = folder / f"{name}.npz"
    np.savez(path, **arrays)
    return path, arrays


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path))
    return tmp_path


def test_reads_offline_copy_in_load_data_layout(offline, monkeypatch):
    path, arrays = write_fake(offline)
    monkeypatch.setitem(data.SHA256, "mnist", sha256(path))
    (x_train, y_train), (x_test, y_test) = dnnbook.load_mnist()
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_train, arrays["y_train"])
    np.testing.assert_array_equal(x_test, arrays["x_test"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    assert x_train.dtype == np.uint8


def test_missing_file_names_it_and_both_fixes(offline):
    with pytest.raises(dnnbook.DatasetError) as err:
        dnnbook.load_fashion_mnist()
    message = str(err.value)
    assert str(offline / "fashion_mnist.npz") in message
    assert "put fashion_mnist.npz" in message
    assert f"unset {data.DATA_DIR_ENV}" in message


def test_data_dir_that_is_not_a_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(dnnbook.DatasetError, match="is not a folder"):
        dnnbook.load_cifar10()


def test_checksum_mismatch_is_reported_and_file_left_untouched(offline):
    path, _ = write_fake(offline)  # real name, but not the real MNIST bytes
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    with pytest.raises(dnnbook.DatasetError) as err:
        dnnbook.load_mnist()
    message = str(err.value)
    assert sha256(path) in message and data.SHA256["mnist"] in message
    assert "left untouched" in message
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before


def test_no_data_dir_uses_keras_datasets(monkeypatch):
    import keras

    monkeypatch.delenv(data.DATA_DIR_ENV, raising=False)
    sentinel = ((np.zeros(1), np.zeros(1)), (np.ones(1), np.ones(1)))
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: sentinel)
    assert dnnbook.load_mnist() is sentinel


def test_no_data_dir_and_no_network_gives_a_clear_error(monkeypatch):
    import keras

    def offline_download():
        raise Exception(
            "URL fetch failure on https://example.invalid/mnist.npz: None -- "
            "[Errno -2] Name or service not known"
        )

    monkeypatch.delenv(data.DATA_DIR_ENV, raising=False)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline_download)
    with pytest.raises(dnnbook.DatasetError) as err:
        dnnbook.load_mnist()
    message = str(err.value)
    assert "Could not download mnist" in message
    assert (
        "Connect to the internet" in message
        and data.DATA_DIR_ENV in message
    )
    assert (
        err.value.__suppress_context__
    )  # one clear message, not a chained traceback


def test_unknown_dataset_name():
    with pytest.raises(
        dnnbook.DatasetError, match="Unknown dataset 'imagenet'"
    ):
        data._load("imagenet")


def test_data_source_says_where_data_comes_from(offline, monkeypatch):
    assert "offline copy cifar10.npz" in dnnbook.data_source("cifar10")
    assert "JPEG" in dnnbook.data_source(
        "cifar10"
    )  # readers are told about the re-encoding
    monkeypatch.delenv(data.DATA_DIR_ENV)
    assert "keras.datasets" in dnnbook.data_source("mnist")


EXPECTED = {  # shapes and first labels that keras.datasets.<name>.load_data() returns
    "mnist": ((60000, 28, 28), (60000,), (10000, 28, 28), (10000,)),
    "fashion_mnist": ((60000, 28, 28), (60000,), (10000, 28, 28), (10000,)),
    "cifar10": (
        (50000, 32, 32, 3),
        (50000, 1),
        (10000, 32, 32, 3),
        (10000, 1),
    ),
}


@pytest.mark.skipif(
    not os.environ.get(data.DATA_DIR_ENV),
    reason="no offline data folder configured (DNNBOOK_DATA_DIR)",
)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_offline_copies(name):
    (x_train, y_train), (x_test, y_test) = LOADERS[name]()
    shapes = (x_train.shape, y_train.shape, x_test.shape, y_test.shape)
    assert shapes == EXPECTED[name]
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {
        np.dtype(np.uint8)
    }
    if name == "mnist":
        assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert sorted(np.unique(y_train).tolist()) == list(range(10))
