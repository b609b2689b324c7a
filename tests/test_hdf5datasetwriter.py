import gc
import json

import h5py
import numpy as np
import pytest

from pyimagesearch.io import hdf5format
from pyimagesearch.io.hdf5datasetwriter import HDF5DatasetWriter


def _images(count, seed=0, size=8):
    return np.random.default_rng(seed).integers(0, 256, (count, size, size, 3), dtype=np.uint8)


def _leftovers(folder):
    return sorted(path.name for path in folder.iterdir() if ".partial-" in path.name)


def test_round_trip_images_labels_names_and_attributes(tmp_path):
    images, labels = _images(7), np.array([0, 1, 2, 0, 1, 2, 0])
    path = tmp_path / "train.hdf5"
    with HDF5DatasetWriter((7, 8, 8, 3), path, buffer_size=3, preprocessing=["resize 8x8"]) as writer:
        writer.store_class_labels(["cat", "dog", "émeu"])
        writer.add(images[:2], labels[:2])
        writer.add(images[2:], labels[2:])
        assert not path.exists()  # nothing at the final path before close
    with h5py.File(path, "r") as database:
        np.testing.assert_array_equal(database["images"][...], images)
        np.testing.assert_array_equal(database["labels"][...], labels)
        assert database["images"].dtype == np.uint8
        assert hdf5format.read_label_names(database) == ["cat", "dog", "émeu"]
        attributes = database.attrs
        assert attributes["format_version"] == hdf5format.FORMAT_VERSION
        assert bool(attributes["complete"]) is True
        assert list(attributes["image_size"]) == [8, 8, 3]
        assert attributes["preprocessing"] == "resize 8x8"
        mean = json.loads(attributes["mean"])
    blue, green, red = images.reshape(-1, 3).mean(axis=0)
    assert mean == pytest.approx({"R": red, "G": green, "B": blue})
    assert writer.mean == mean
    assert _leftovers(tmp_path) == []


def test_uint8_file_is_an_eighth_of_the_course_float64_file(tmp_path):
    images, labels = _images(60, size=32), np.arange(60) % 3
    with h5py.File(tmp_path / "course.hdf5", "w") as course:  # what the course's writer stored
        course.create_dataset("images", data=images.astype("float64"))
        course.create_dataset("labels", data=labels)
    path = tmp_path / "ours.hdf5"
    with HDF5DatasetWriter(images.shape, path) as writer:
        writer.add(images.astype("float64"), labels)  # whole values in 0..255 are stored as uint8
    # The pixels take an eighth; HDF5's own metadata adds a fixed few KB, whatever the size.
    assert path.stat().st_size <= (tmp_path / "course.hdf5").stat().st_size / 8 + 12 * 1024


def test_features_default_to_float32_and_float16_is_cast_by_numpy(tmp_path):
    features = np.random.default_rng(1).normal(size=(5, 4)).astype("float64")
    with HDF5DatasetWriter((5, 4), tmp_path / "f32.hdf5", data_key="features") as writer:
        writer.add(features, np.arange(5))
    with HDF5DatasetWriter((5, 4), tmp_path / "f16.hdf5", data_key="features", dtype="float16") as writer:
        writer.add(features, np.arange(5))
    with h5py.File(tmp_path / "f32.hdf5") as f32, h5py.File(tmp_path / "f16.hdf5") as f16:
        assert f32["features"].dtype == np.float32
        np.testing.assert_array_equal(f32["features"][...], features.astype(np.float32))
        np.testing.assert_array_equal(f16["features"][...], features.astype(np.float16))
        assert "mean" not in f32.attrs


def test_capacity_is_trimmed_to_the_rows_added(tmp_path):
    path = tmp_path / "trimmed.hdf5"
    with HDF5DatasetWriter((100, 8, 8, 3), path, buffer_size=4) as writer:
        writer.add(_images(9), np.arange(9) % 2)
    with h5py.File(path) as database:
        assert database["images"].shape == (9, 8, 8, 3)
        assert database["labels"].shape == (9,)


def test_given_mean_is_recorded_instead_of_computed(tmp_path):
    path = tmp_path / "val.hdf5"
    with HDF5DatasetWriter((2, 8, 8, 3), path, mean={"R": 1.0, "G": 2.0, "B": 3.0}) as writer:
        writer.add(_images(2), [0, 1])
    assert hdf5format.read_mean(path) == {"R": 1.0, "G": 2.0, "B": 3.0}


def test_exception_in_block_leaves_nothing(tmp_path):
    path = tmp_path / "broken.hdf5"
    with pytest.raises(RuntimeError):
        with HDF5DatasetWriter((4, 8, 8, 3), path) as writer:
            writer.add(_images(2), [0, 1])
            raise RuntimeError("simulated crash")
    assert not path.exists()
    assert _leftovers(tmp_path) == []


def test_writer_dropped_without_close_removes_its_temporary_file(tmp_path):
    writer = HDF5DatasetWriter((4, 8, 8, 3), tmp_path / "dropped.hdf5")
    writer.add(_images(2), [0, 1])
    assert len(_leftovers(tmp_path)) == 1
    del writer
    gc.collect()
    assert _leftovers(tmp_path) == []
    assert not (tmp_path / "dropped.hdf5").exists()


def test_refuses_to_overwrite_unless_asked(tmp_path):
    path = tmp_path / "train.hdf5"
    path.write_bytes(b"precious")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        HDF5DatasetWriter((2, 8, 8, 3), path)
    assert path.read_bytes() == b"precious"
    with HDF5DatasetWriter((2, 8, 8, 3), path, overwrite=True) as writer:
        writer.add(_images(2), [0, 1])
    assert h5py.is_hdf5(path)


def test_stale_temporary_file_of_a_dead_process_is_removed(tmp_path):
    stale = tmp_path / ".train.partial-999999999-abcd1234.hdf5"  # no such pid
    stale.write_bytes(b"left by SIGKILL")
    live = tmp_path / ".train.partial-1-abcd1234.hdf5"  # pid 1 is alive
    live.write_bytes(b"someone else's")
    with HDF5DatasetWriter((2, 8, 8, 3), tmp_path / "train.hdf5") as writer:
        writer.add(_images(2), [0, 1])
    assert not stale.exists()
    assert live.exists()


def test_incomplete_file_is_refused_by_readers(tmp_path):
    writer = HDF5DatasetWriter((4, 8, 8, 3), tmp_path / "partial.hdf5")
    writer.add(_images(4), [0, 1, 0, 1])
    writer.flush()
    with pytest.raises(hdf5format.InvalidDatasetFileError, match="'complete' flag") as error:
        hdf5format.open_dataset_file(writer.temporary_path)
    assert str(writer.temporary_path) in str(error.value)
    writer.abort()


@pytest.mark.parametrize(
    "keywords, message",
    [
        ({"dims": (4, 8, 8)}, "dims"),
        ({"dims": (0, 8)}, "dims"),
        ({"buffer_size": 0}, "buffer_size"),
        ({"dtype": "float64"}, "dtype"),
        ({"data_key": "labels"}, "data_key"),
        ({"compression": "zip"}, "compression"),
        ({"overwrite": "yes"}, "overwrite"),
        ({"mean": (1.0, 2.0)}, "mean"),
    ],
)
def test_invalid_arguments_are_refused_early(tmp_path, keywords, message):
    arguments = {"dims": (4, 8, 8, 3), "output_path": tmp_path / "x.hdf5", **keywords}
    with pytest.raises(ValueError, match=message) as error:
        HDF5DatasetWriter(**arguments)
    assert "Received: " in str(error.value)
    assert _leftovers(tmp_path) == []


def test_invalid_rows_and_labels_are_refused(tmp_path):
    with HDF5DatasetWriter((4, 8, 8, 3), tmp_path / "x.hdf5") as writer:
        with pytest.raises(ValueError, match=r"Received: rows.shape=\(2, 4, 4, 3\)"):
            writer.add(_images(2, size=4), [0, 1])
        with pytest.raises(ValueError, match="0..255"):
            writer.add(_images(2).astype("float32") - 128, [0, 1])
        with pytest.raises(ValueError, match="whole pixel values"):
            writer.add(_images(2).astype("float32") / 255, [0, 1])
        with pytest.raises(ValueError, match=r"Received: labels.shape=\(3,\)"):
            writer.add(_images(2), [0, 1, 1])
        with pytest.raises(ValueError, match="non-negative"):
            writer.add(_images(2), [0, -1])
        with pytest.raises(ValueError, match="exceed"):
            writer.add(_images(5), [0] * 5)
        writer.add(_images(1), [0])


def test_close_refuses_empty_file_and_unnamed_labels(tmp_path):
    with pytest.raises(ValueError, match="No rows"):
        HDF5DatasetWriter((4, 8, 8, 3), tmp_path / "empty.hdf5").close()
    writer = HDF5DatasetWriter((4, 8, 8, 3), tmp_path / "names.hdf5")
    writer.store_class_labels(["a", "b"])
    writer.add(_images(1), [2])
    with pytest.raises(ValueError, match="Label 2 has no name"):
        writer.close()
    assert not (tmp_path / "names.hdf5").exists()
    assert _leftovers(tmp_path) == []
    with pytest.raises(ValueError, match="closed"):
        writer.add(_images(1), [0])
