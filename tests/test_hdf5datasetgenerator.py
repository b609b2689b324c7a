import keras
import numpy as np
import pytest

from pyimagesearch.io import hdf5format
from pyimagesearch.io.hdf5datasetgenerator import HDF5DatasetGenerator
from pyimagesearch.io.hdf5datasetwriter import HDF5DatasetWriter
from pyimagesearch.preprocessing import ImageToArrayPreprocessor, SimplePreprocessor
from tests.hdf5testing import row_ids, write_indexed_file


def test_one_pass_covers_every_row_once_and_each_pass_is_reshuffled(tmp_path):
    write_indexed_file(tmp_path / "train.hdf5", rows=42)
    with HDF5DatasetGenerator(tmp_path / "train.hdf5", 8, binarize=False, seed=5) as generator:
        assert generator.steps_per_epoch == len(generator) == 6
        batches = list(generator.generator(passes=3))
        assert len(batches) == 3 * 6  # exactly the passes asked for
        assert generator.passes_completed == 3
    passes = [[row_ids(images) for images, _ in batches[index : index + 6]] for index in (0, 6, 12)]
    for one_pass in passes:
        assert sorted(row for batch in one_pass for row in batch) == list(range(42))
    assert len({tuple(batch[0] for batch in one_pass) for one_pass in passes}) > 1


def test_no_shuffle_reads_in_order_and_labels_are_one_hot(tmp_path):
    write_indexed_file(tmp_path / "val.hdf5", rows=5, classes=3)
    with HDF5DatasetGenerator(tmp_path / "val.hdf5", 2, classes=3, shuffle=False) as generator:
        batches = list(generator.generator(passes=1))
    assert [row_ids(images) for images, _ in batches] == [[0, 1], [2, 3], [4]]
    np.testing.assert_array_equal(batches[0][1], [[1, 0, 0], [0, 1, 0]])
    assert batches[0][1].dtype == np.float32


def test_configurable_key_for_feature_files(tmp_path):
    features = np.arange(12, dtype=np.float32).reshape(6, 2)
    with HDF5DatasetWriter((6, 2), tmp_path / "features.hdf5", data_key="features") as writer:
        writer.add(features, np.arange(6) % 2)
    with HDF5DatasetGenerator(
        tmp_path / "features.hdf5", 3, data_key="features", binarize=False, shuffle=False
    ) as generator:
        images, labels = next(generator.generator())
    np.testing.assert_array_equal(images, features[:3])
    np.testing.assert_array_equal(labels, [0, 1, 0])


def test_per_image_preprocessors_then_augmentation(tmp_path):
    write_indexed_file(tmp_path / "train.hdf5", rows=4, size=8)
    doubled = keras.layers.Lambda(lambda images: images * 2.0)
    with HDF5DatasetGenerator(
        tmp_path / "train.hdf5",
        4,
        preprocessors=[SimplePreprocessor(4, 4), ImageToArrayPreprocessor()],
        augmentation=doubled,
        shuffle=False,
    ) as generator:
        images, labels = next(generator.generator())
    assert images.shape == (4, 4, 4, 3)
    np.testing.assert_allclose(images[:, 0, 0, 0], [0, 2, 4, 6])
    assert labels.shape == (4, 2)


def test_keras_epochs_and_passes_stay_aligned(tmp_path):
    write_indexed_file(tmp_path / "train.hdf5", rows=10, size=4)
    generator = HDF5DatasetGenerator(tmp_path / "train.hdf5", 4, seed=0)
    seen = []

    def recording():
        for images, labels in generator.generator():
            seen.append(row_ids(images))
            yield images, labels

    model = keras.Sequential([keras.Input((4, 4, 3)), keras.layers.Flatten(), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    model.fit(recording(), steps_per_epoch=generator.steps_per_epoch, epochs=3, verbose=0)
    # Keras takes steps_per_epoch batches per epoch, so every epoch is exactly one full pass
    # (the course's N // batch_size steps would have split passes across epochs).
    steps = generator.steps_per_epoch
    for epoch in range(3):
        rows = [row for batch in seen[epoch * steps : (epoch + 1) * steps] for row in batch]
        assert sorted(rows) == list(range(10))
    generator.close()


def test_refuses_incomplete_files_and_mismatched_classes(tmp_path):
    write_indexed_file(tmp_path / "x.hdf5", rows=4, classes=3)
    with pytest.raises(ValueError, match="has 3 classes.*Received: classes=2"):
        HDF5DatasetGenerator(tmp_path / "x.hdf5", 2)
    with pytest.raises(hdf5format.InvalidDatasetFileError, match="'images_v2' is missing"):
        HDF5DatasetGenerator(tmp_path / "x.hdf5", 2, classes=3, data_key="images_v2")
    with pytest.raises(hdf5format.InvalidDatasetFileError, match="does not exist"):
        HDF5DatasetGenerator(tmp_path / "missing.hdf5", 2)
    with pytest.raises(ValueError, match="Received: batch_size=0"):
        HDF5DatasetGenerator(tmp_path / "x.hdf5", 0)
    with pytest.raises(ValueError, match="Received: passes=0"):
        next(HDF5DatasetGenerator(tmp_path / "x.hdf5", 2, classes=3).generator(passes=0))


def test_a_boolean_number_of_passes_is_refused(tmp_path):
    # True is an Integral >= 1, and was once taken as one pass.
    write_indexed_file(tmp_path / "x.hdf5", rows=4, classes=3)
    with HDF5DatasetGenerator(tmp_path / "x.hdf5", 2, classes=3) as generator:
        with pytest.raises(ValueError, match=r"Received: passes=True$"):
            next(generator.generator(passes=True))
