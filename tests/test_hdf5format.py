"""The HDF5 dataset file format: checked opening, file info, label names and the stored mean."""

import json

import h5py
import numpy as np
import pytest

from pyimagesearch.io import hdf5format
from pyimagesearch.io.hdf5datasetwriter import HDF5DatasetWriter
from tests.hdf5testing import row_ids
from tests.hdf5testing import write_indexed_file


def write_raw_file(path, attributes, rows=3, labels=3, keys=("images", "labels")):
    """Writes an HDF5 file by hand (as other code or an interrupted writer might)."""
    with h5py.File(path, "w") as handle:
        if "images" in keys:
            handle.create_dataset("images", data=np.zeros((rows, 2, 2, 3), dtype=np.uint8))
        if "labels" in keys:
            handle.create_dataset("labels", data=np.zeros((labels,), dtype=np.int64))
        for name, value in attributes.items():
            handle.attrs[name] = value
    return path


COMPLETE = {"format_version": hdf5format.FORMAT_VERSION, "complete": True}


def assert_closed_again(path):
    # HDF5 refuses to truncate a file that a handle in this process still has open.
    h5py.File(path, "w").close()


def test_open_dataset_file_returns_a_read_only_handle_the_caller_closes(tmp_path):
    path = tmp_path / "train.hdf5"
    images, labels = write_indexed_file(path, rows=6)

    handle = hdf5format.open_dataset_file(path)
    try:
        assert handle.mode == "r"
        np.testing.assert_array_equal(handle["images"][...], images)
        np.testing.assert_array_equal(handle["labels"][...], labels)
        assert row_ids(handle["images"][2:4]) == [2, 3]
    finally:
        handle.close()
    assert_closed_again(path)


def test_open_dataset_file_accepts_a_features_file_by_its_data_key(tmp_path):
    path = tmp_path / "features.hdf5"
    with HDF5DatasetWriter((4, 5), path, data_key="features") as writer:
        writer.add(np.arange(20, dtype=np.float32).reshape(4, 5), [0, 1, 0, 1])

    with hdf5format.open_dataset_file(path, data_key="features") as handle:
        assert handle["features"].shape == (4, 5)
    with pytest.raises(hdf5format.InvalidDatasetFileError, match="the dataset key 'images' is missing"):
        hdf5format.open_dataset_file(path)


def test_a_missing_file_is_refused_with_its_path(tmp_path):
    path = tmp_path / "nowhere.hdf5"

    with pytest.raises(hdf5format.InvalidDatasetFileError) as error:
        hdf5format.open_dataset_file(path)

    assert error.value.path == str(path)
    assert error.value.reason == "the file does not exist"
    assert str(error.value) == f"Cannot use HDF5 dataset file {path}: the file does not exist"
    assert isinstance(error.value, ValueError)


def test_a_file_that_is_not_hdf5_is_refused(tmp_path):
    path = tmp_path / "notes.hdf5"
    path.write_text("not HDF5 at all")

    with pytest.raises(hdf5format.InvalidDatasetFileError, match=r"notes\.hdf5: it is not a readable HDF5 file"):
        hdf5format.open_dataset_file(path)


def test_a_foreign_file_without_format_version_is_refused(tmp_path):
    path = write_raw_file(tmp_path / "foreign.h5", {"complete": True})

    with pytest.raises(hdf5format.InvalidDatasetFileError, match="the attribute 'format_version' is missing"):
        hdf5format.open_dataset_file(path)
    assert_closed_again(path)


@pytest.mark.parametrize("attributes", [{"format_version": 1}, {"format_version": 1, "complete": False}])
def test_an_incomplete_file_is_refused_and_closed_again(tmp_path, attributes):
    path = write_raw_file(tmp_path / "incomplete.hdf5", attributes)

    with pytest.raises(hdf5format.InvalidDatasetFileError, match="the 'complete' flag is not set") as error:
        hdf5format.open_dataset_file(path)

    assert error.value.path == str(path)
    assert_closed_again(path)


def test_the_writers_unfinished_temporary_file_is_refused(tmp_path):
    writer = HDF5DatasetWriter((4, 2, 2, 3), tmp_path / "train.hdf5")
    writer.add(np.zeros((4, 2, 2, 3), dtype=np.uint8), [0, 1, 0, 1])
    writer.flush()
    try:
        with pytest.raises(hdf5format.InvalidDatasetFileError, match="the 'complete' flag is not set"):
            hdf5format.open_dataset_file(writer.temporary_path)
    finally:
        writer.abort()


def test_a_newer_format_version_is_refused(tmp_path):
    newer = hdf5format.FORMAT_VERSION + 1
    path = write_raw_file(tmp_path / "future.hdf5", {"format_version": newer, "complete": True})

    with pytest.raises(hdf5format.InvalidDatasetFileError, match=f"format_version {newer} is newer than this library"):
        hdf5format.open_dataset_file(path)


def test_a_missing_labels_key_names_the_keys_present(tmp_path):
    path = write_raw_file(tmp_path / "unlabelled.hdf5", COMPLETE, keys=("images",))

    with pytest.raises(
        hdf5format.InvalidDatasetFileError, match=r"the dataset key 'labels' is missing \(keys present: images\)$"
    ):
        hdf5format.open_dataset_file(path)


def test_a_file_without_any_dataset_says_none_present(tmp_path):
    path = write_raw_file(tmp_path / "empty.hdf5", COMPLETE, keys=())

    with pytest.raises(hdf5format.InvalidDatasetFileError, match=r"'images' is missing \(keys present: none\)$"):
        hdf5format.open_dataset_file(path)


def test_rows_and_labels_of_different_lengths_are_refused(tmp_path):
    path = write_raw_file(tmp_path / "uneven.hdf5", COMPLETE, rows=5, labels=4)

    with pytest.raises(hdf5format.InvalidDatasetFileError, match="'images' has 5 rows but 'labels' has 4$"):
        hdf5format.open_dataset_file(path)
    assert_closed_again(path)


def test_read_dataset_info_of_an_images_file(tmp_path):
    path = tmp_path / "train.hdf5"
    write_indexed_file(path, rows=40, size=4, classes=2, preprocessing=["resize 4x4", "shuffle"])

    info = hdf5format.read_dataset_info(path)

    assert info == {
        "path": str(path),
        "data_key": "images",
        "rows": 40,
        "row_shape": (4, 4, 3),
        "dtype": "uint8",
        "compression": None,
        "label_names": ["class0", "class1"],
        "classes": 2,
        # Every pixel of row i is i, so each channel's mean is that of 0..39.
        "mean": {"R": 19.5, "G": 19.5, "B": 19.5},
        "image_size": (4, 4, 3),
        "preprocessing": "resize 4x4; shuffle",
        "format_version": hdf5format.FORMAT_VERSION,
    }


def test_read_dataset_info_without_label_names_counts_up_to_the_largest_label(tmp_path):
    path = tmp_path / "gaps.hdf5"
    with HDF5DatasetWriter((3, 2, 2, 3), path) as writer:
        writer.add(np.zeros((3, 2, 2, 3), dtype=np.uint8), [0, 4, 4])

    info = hdf5format.read_dataset_info(path)

    assert info["label_names"] is None
    assert info["classes"] == 5  # labels 0..4, though only two of them occur


def test_read_dataset_info_of_a_compressed_features_file(tmp_path):
    path = tmp_path / "features.hdf5"
    with HDF5DatasetWriter((6, 8), path, data_key="features", compression="lzf") as writer:
        writer.store_class_labels(["cat", "dog", "émeu"])
        writer.add(np.ones((6, 8)), [0, 1, 2, 0, 1, 2])

    info = hdf5format.read_dataset_info(path, data_key="features")

    assert (info["data_key"], info["rows"], info["row_shape"]) == ("features", 6, (8,))
    assert (info["dtype"], info["compression"]) == ("float32", "lzf")
    assert info["label_names"] == ["cat", "dog", "émeu"] and info["classes"] == 3
    # Features have neither an image size nor a per-channel mean.
    assert info["mean"] is None and info["image_size"] is None
    assert info["preprocessing"] == ""


def test_read_dataset_info_refuses_an_incomplete_file(tmp_path):
    path = write_raw_file(tmp_path / "incomplete.hdf5", {"format_version": 1})

    with pytest.raises(hdf5format.InvalidDatasetFileError, match="'complete' flag"):
        hdf5format.read_dataset_info(path)


def test_read_mean_returns_the_mean_in_the_course_format(tmp_path):
    path = tmp_path / "validation.hdf5"
    # A validation file carries the training split's mean, given here in BGR order.
    write_indexed_file(path, rows=4, mean=(10.0, 20.0, 30.0))

    assert hdf5format.read_mean(path) == {"R": 30.0, "G": 20.0, "B": 10.0}


def test_read_mean_of_a_file_without_a_mean_is_an_error(tmp_path):
    path = tmp_path / "features.hdf5"
    with HDF5DatasetWriter((2, 3), path, data_key="features") as writer:
        writer.add(np.zeros((2, 3)), [0, 1])

    with pytest.raises(hdf5format.InvalidDatasetFileError, match=r"features\.hdf5: the attribute 'mean' is missing$"):
        hdf5format.read_mean(path, data_key="features")


def test_read_label_names_decodes_utf8_and_is_none_without_names(tmp_path):
    named, unnamed = tmp_path / "named.hdf5", tmp_path / "unnamed.hdf5"
    with HDF5DatasetWriter((2, 2, 2, 3), named) as writer:
        writer.store_class_labels(["chat", "émeu"])
        writer.add(np.zeros((2, 2, 2, 3), dtype=np.uint8), [0, 1])
    write_indexed_file(unnamed, rows=2, label_names=False)

    with h5py.File(named, "r") as handle:
        names = hdf5format.read_label_names(handle)
    with h5py.File(unnamed, "r") as handle:
        assert hdf5format.read_label_names(handle) is None

    assert names == ["chat", "émeu"]
    assert all(type(name) is str for name in names)


@pytest.mark.parametrize("compression, cache_bytes", [(None, 0), ("lzf", 1024 * 1024)])
def test_open_for_slices_turns_the_chunk_cache_off_only_without_compression(tmp_path, compression, cache_bytes):
    path = tmp_path / "train.hdf5"
    write_indexed_file(path, rows=20, compression=compression)

    with hdf5format.open_for_slices(path, compression) as handle:
        assert handle.id.get_access_plist().get_cache()[2] == cache_bytes
        assert row_ids(handle["images"][5:9]) == [5, 6, 7, 8]


def test_mean_to_bgr_from_the_course_dict_and_from_a_bgr_sequence():
    from_dict = hdf5format.mean_to_bgr({"R": 123.5, "G": 116.0, "B": 103.25})
    from_sequence = hdf5format.mean_to_bgr([103.25, 116, 123.5])

    for values in (from_dict, from_sequence):
        assert values.dtype == np.float64
        np.testing.assert_array_equal(values, [103.25, 116.0, 123.5])


@pytest.mark.parametrize(
    "mean, message",
    [
        ({"R": 1.0, "G": 2.0}, r"needs the keys 'R', 'G' and 'B'\. Received: mean=\{'R': 1.0, 'G': 2.0\}$"),
        ([1.0, 2.0], r"3 finite numbers in BGR order\. Received: mean=\[1.0, 2.0\]$"),
        ([1.0, float("nan"), 3.0], r"Received: mean=\[1.0, nan, 3.0\]$"),
        ([1.0, 2.0, float("inf")], r"Received: mean=\[1.0, 2.0, inf\]$"),
    ],
)
def test_mean_to_bgr_refuses_a_bad_mean(mean, message):
    with pytest.raises(ValueError, match=message):
        hdf5format.mean_to_bgr(mean)


def test_mean_to_json_names_the_channels_and_round_trips():
    mean = hdf5format.mean_to_json(np.array([1.5, 2.5, 3.5]))

    assert mean == {"R": 3.5, "G": 2.5, "B": 1.5}
    assert all(type(value) is float for value in mean.values())
    json.dumps(mean)  # plain floats, so it can be written as the `mean` attribute
    np.testing.assert_array_equal(hdf5format.mean_to_bgr(mean), [1.5, 2.5, 3.5])


@pytest.mark.parametrize("text", ['{"R": 1.0, "G": 2.0, "B": 3.0}', b'{"R": 1.0, "G": 2.0, "B": 3.0}'])
def test_parse_mean_reads_str_or_bytes_json(text):
    assert hdf5format.parse_mean(text) == {"R": 1.0, "G": 2.0, "B": 3.0}


def test_parse_mean_of_an_absent_attribute_is_none():
    assert hdf5format.parse_mean(None) is None
