"""MNIST's mnist.npz: read without pickles, checked key by key, downloaded through the mirror."""

import hashlib

import numpy as np
import pytest

from pyimagesearch.datasets import catalog, download, mnist
from tests import datasetserver


def _arrays(train=6, test=4, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, size=(train, 28, 28), dtype=np.uint8),
        "y_train": (np.arange(train) % 10).astype(np.uint8),
        "x_test": rng.integers(0, 256, size=(test, 28, 28), dtype=np.uint8),
        "y_test": (np.arange(test)[::-1] % 10).astype(np.uint8),
    }


def _write_npz(path, arrays):
    np.savez(path, **arrays)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_load_mnist_from_a_file_reads_every_array_back(tmp_path):
    arrays = _arrays()
    _write_npz(tmp_path / "digits.npz", arrays)

    (train_images, train_labels), (test_images, test_labels) = mnist.load_mnist(tmp_path / "digits.npz")

    assert np.array_equal(train_images, arrays["x_train"]) and train_images.dtype == np.uint8
    assert np.array_equal(test_images, arrays["x_test"])
    assert train_labels.dtype == np.int64 and train_labels.tolist() == arrays["y_train"].tolist()
    assert test_labels.tolist() == arrays["y_test"].tolist()


def test_the_catalog_downloads_mnist_npz_through_the_mirror(tmp_path, monkeypatch):
    arrays = _arrays()
    served = datasetserver.new_folder(tmp_path / "served")
    sha256 = _write_npz(served / "mnist.npz", arrays)
    root = tmp_path / "datasets"
    entry = catalog.mnist_entry(sha256=sha256)

    with datasetserver.mirror(monkeypatch, served):
        (train_images, _), (_, test_labels) = mnist.load_mnist(entry, datasets_root=root, verbose=False)
        folder = catalog.resolve_dataset(entry, datasets_root=root, verbose=False)

    # resolve_dataset gives the folder holding mnist.npz, kept whole (not unzipped).
    assert folder == root / "mnist"
    assert datasetserver.all_files(folder) == ["mnist.npz"]
    assert np.array_equal(train_images, arrays["x_train"])
    assert test_labels.tolist() == arrays["y_test"].tolist()
    assert mnist.load_mnist(folder)[0][1].tolist() == arrays["y_train"].tolist()


def test_a_wrong_checksum_is_refused_and_leaves_nothing(tmp_path, monkeypatch):
    served = datasetserver.new_folder(tmp_path / "served")
    _write_npz(served / "mnist.npz", _arrays())
    root = tmp_path / "datasets"

    # The real entry's sha256 is the real file's, not the small one's.
    with datasetserver.mirror(monkeypatch, served):
        with pytest.raises(download.DatasetDownloadError) as caught:
            mnist.load_mnist("mnist", datasets_root=root, verbose=False)

    assert isinstance(caught.value.__cause__, download.ChecksumMismatchError)
    assert catalog.MNIST_SHA256 in str(caught.value) and "--dataset digits" in str(caught.value)
    assert datasetserver.all_files(root) == []


def test_a_download_that_is_not_mnist_is_refused_before_it_is_kept(tmp_path, monkeypatch):
    arrays = _arrays()
    del arrays["y_test"]
    served = datasetserver.new_folder(tmp_path / "served")
    sha256 = _write_npz(served / "mnist.npz", arrays)
    root = tmp_path / "datasets"

    with datasetserver.mirror(monkeypatch, served):
        with pytest.raises(download.DatasetDownloadError, match=r"mnist\.npz is not an MNIST file.*y_test"):
            catalog.resolve_dataset(catalog.mnist_entry(sha256=sha256), datasets_root=root, verbose=False)
    assert not (root / "mnist").exists()


@pytest.mark.parametrize(
    "change, pattern",
    [
        ({"x_train": None}, r"the keys x_train are missing"),
        ({"x_train": np.zeros((6, 28, 27), np.uint8)}, r"'x_train' is uint8 \(6, 28, 27\)"),
        ({"x_test": np.zeros((4, 28, 28), np.float32)}, r"'x_test' is float32"),
        ({"y_train": np.zeros(5, np.uint8)}, r"'y_train' is uint8 \(5,\), expected 6 integers"),
        ({"y_test": np.array([0, 1, 2, 10], np.uint8)}, r"'y_test' holds labels from 0 to 10"),
        ({"y_test": np.array([0.0, 1.0, 2.0, 3.0])}, r"'y_test' is float64"),
        ({"y_test": np.array([{"a": 1}] * 4, dtype=object)}, r"without pickles"),
    ],
    ids=["missing-key", "wrong-shape", "wrong-dtype", "label-count", "label-range", "float-labels", "pickled"],
)
def test_a_bad_file_is_refused_naming_it(tmp_path, change, pattern):
    arrays = _arrays()
    for key, value in change.items():
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    path = tmp_path / "bad_mnist.npz"
    _write_npz(path, arrays)

    with pytest.raises(ValueError, match=pattern) as caught:
        mnist.load_mnist(path)
    assert "bad_mnist.npz" in str(caught.value)


def test_a_file_that_is_not_an_npz_archive_is_refused(tmp_path):
    path = tmp_path / "mnist.npz"
    path.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match=r"mnist\.npz is not an MNIST file"):
        mnist.load_mnist(path)


def test_a_folder_without_mnist_npz_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"holds no mnist\.npz"):
        mnist.load_mnist(tmp_path)
