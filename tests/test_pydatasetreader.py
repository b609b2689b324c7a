import keras
import numpy as np
import pytest

from pyimagesearch.io import hdf5format
from pyimagesearch.io.pydatasetreader import HDF5PyDataset
from tests.hdf5testing import row_ids, write_indexed_file


def test_batches_cover_every_row_and_the_order_changes_each_epoch(tmp_path):
    write_indexed_file(tmp_path / "train.hdf5", rows=42)
    dataset = HDF5PyDataset(tmp_path / "train.hdf5", 8, scale=1.0, one_hot=False, seed=2)
    assert len(dataset) == 6
    first = [row_ids(dataset[index][0]) for index in range(len(dataset))]
    dataset.on_epoch_end()
    second = [row_ids(dataset[index][0]) for index in range(len(dataset))]
    for epoch in (first, second):
        assert sorted(row for batch in epoch for row in batch) == list(range(42))
    assert first != second
    with pytest.raises(IndexError):
        dataset[6]


def test_mean_scale_and_one_hot(tmp_path):
    images, labels = write_indexed_file(tmp_path / "val.hdf5", rows=6, classes=3, mean=(1.0, 2.0, 3.0))
    dataset = HDF5PyDataset(tmp_path / "val.hdf5", 4, shuffle=False, mean="file", scale=0.5)
    got_images, got_labels = dataset[0]
    np.testing.assert_allclose(got_images, (images[:4] - np.array([1.0, 2.0, 3.0])) * 0.5)
    np.testing.assert_array_equal(got_labels, np.eye(3)[labels[:4]])
    assert got_images.dtype == np.float32


def test_reopens_the_file_in_a_new_process(tmp_path, monkeypatch):
    write_indexed_file(tmp_path / "x.hdf5", rows=4)
    dataset = HDF5PyDataset(tmp_path / "x.hdf5", 2, shuffle=False)
    dataset[0]
    first = dataset._handle
    monkeypatch.setattr("pyimagesearch.io.pydatasetreader.os.getpid", lambda: -1)
    dataset[1]
    assert dataset._handle is not first


def test_fit_with_worker_processes(tmp_path):
    write_indexed_file(tmp_path / "train.hdf5", rows=16, size=4)
    dataset = HDF5PyDataset(tmp_path / "train.hdf5", 4, workers=2, use_multiprocessing=True, seed=0)
    model = keras.Sequential([keras.Input((4, 4, 3)), keras.layers.Flatten(), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    history = model.fit(dataset, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_refuses_incomplete_files(tmp_path):
    write_indexed_file(tmp_path / "x.hdf5", rows=4)
    import h5py

    with h5py.File(tmp_path / "x.hdf5", "a") as database:
        database.attrs["complete"] = False
    with pytest.raises(hdf5format.InvalidDatasetFileError, match="complete"):
        HDF5PyDataset(tmp_path / "x.hdf5", 2)
