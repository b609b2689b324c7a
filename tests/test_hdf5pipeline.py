import json

import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf

from pyimagesearch.io import hdf5format, hdf5pipeline, pipeline
from pyimagesearch.preprocessing import CropPreprocessor
from pyimagesearch.utils import strategy as strategy_module
from tests.hdf5testing import row_ids, write_indexed_file


def _epoch(dataset):
    """Row ids in the order one pass over `dataset` yields them, batch by batch."""
    return [row_ids(images) for images, _ in dataset]


def _raw(path, batch_size, **keywords):
    return hdf5pipeline.make_hdf5_dataset(path, batch_size, scale=1.0, one_hot=False, **keywords)


def test_every_row_once_per_epoch_in_contiguous_slices_reshuffled_each_epoch(tmp_path):
    write_indexed_file(tmp_path / "train.hdf5", rows=42)
    dataset = _raw(tmp_path / "train.hdf5", 8, training=True, seed=3)
    first, second = _epoch(dataset), _epoch(dataset)
    for epoch in (first, second):
        assert sorted(row for batch in epoch for row in batch) == list(range(42))
        for batch in epoch:  # a slice: consecutive rows starting at a multiple of the batch size
            assert batch == list(range(batch[0], batch[0] + len(batch))) and batch[0] % 8 == 0
    assert [batch[0] for batch in first] != [batch[0] for batch in second]
    again = _raw(tmp_path / "train.hdf5", 8, training=True, seed=3)
    assert _epoch(again) == first  # same seed, same order


def test_validation_pipeline_reads_in_file_order_with_a_partial_last_batch(tmp_path):
    write_indexed_file(tmp_path / "val.hdf5", rows=42)
    epoch = _epoch(_raw(tmp_path / "val.hdf5", 8))
    assert [row for batch in epoch for row in batch] == list(range(42))
    assert [len(batch) for batch in epoch] == [8, 8, 8, 8, 8, 2]
    dropped = _raw(tmp_path / "val.hdf5", 8, drop_remainder=True)
    assert dropped.element_spec[0].shape.as_list() == [8, 4, 4, 3]
    assert len(_epoch(dropped)) == 5
    assert dropped.cardinality().numpy() == 5


def test_mean_from_the_file_scale_and_one_hot_labels(tmp_path):
    path = tmp_path / "val.hdf5"
    images, labels = write_indexed_file(path, rows=10, classes=3, mean={"R": 3.0, "G": 2.0, "B": 1.0})
    dataset = hdf5pipeline.make_hdf5_dataset(path, 4, mean="file", scale=0.5)
    batches = list(dataset)
    got_images = np.concatenate([batch[0].numpy() for batch in batches])
    got_labels = np.concatenate([batch[1].numpy() for batch in batches])
    expected = (images.astype(np.float32) - np.array([1.0, 2.0, 3.0], np.float32)) * 0.5
    np.testing.assert_allclose(got_images, expected)
    np.testing.assert_array_equal(got_labels, np.eye(3)[labels])  # classes from label_names
    assert got_images.dtype == np.float32


def test_augmentation_only_for_training_and_applied_in_map(tmp_path):
    path = tmp_path / "train.hdf5"
    write_indexed_file(path, rows=8)

    def add_thousand(images, training=False):
        assert training is True
        return images + 1000.0

    with pytest.raises(ValueError, match="training data only"):
        hdf5pipeline.make_hdf5_dataset(path, 4, augmentation=add_thousand)
    dataset = hdf5pipeline.make_hdf5_dataset(path, 4, training=True, augmentation=add_thousand, scale=1.0)
    images, _ = next(iter(dataset))
    assert float(tf.reduce_min(images)) >= 1000.0


def test_channels_first_and_batch_preprocessors(tmp_path):
    path = tmp_path / "val.hdf5"
    write_indexed_file(path, rows=6, size=8)
    dataset = hdf5pipeline.make_hdf5_dataset(
        path, 3, scale=1.0, preprocessors=[pipeline.resize_batch(4, 2)], data_format="channels_first", replicas=1
    )
    images, labels = next(iter(dataset))
    assert images.shape == (3, 3, 2, 4)
    assert labels.shape == (3, 2)


@pytest.mark.parametrize(
    "damage, message",
    [
        ("incomplete", "'complete' flag is not set"),
        ("foreign", "'format_version' is missing"),
        ("no_labels", "'labels' is missing"),
        ("not_hdf5", "not a readable HDF5 file"),
    ],
)
def test_incomplete_or_foreign_files_are_refused_with_the_file_and_the_reason(tmp_path, damage, message):
    path = tmp_path / "bad.hdf5"
    if damage == "not_hdf5":
        path.write_text("not hdf5")
    elif damage == "foreign":  # what the course's writer produced
        with h5py.File(path, "w") as database:
            database.create_dataset("images", data=np.zeros((4, 4, 4, 3)))
            database.create_dataset("labels", data=np.zeros(4, dtype=int))
    else:
        write_indexed_file(path, rows=4)
        with h5py.File(path, "a") as database:
            if damage == "incomplete":
                database.attrs["complete"] = False
            else:
                del database["labels"]
    with pytest.raises(hdf5format.InvalidDatasetFileError, match=message) as error:
        hdf5pipeline.make_hdf5_dataset(path, 2)
    assert str(path) in str(error.value)


def test_wrong_data_key_names_the_key(tmp_path):
    write_indexed_file(tmp_path / "x.hdf5", rows=4)
    with pytest.raises(hdf5format.InvalidDatasetFileError, match="'features' is missing"):
        hdf5pipeline.make_hdf5_dataset(tmp_path / "x.hdf5", 2, data_key="features")


def test_invalid_arguments(tmp_path):
    write_indexed_file(tmp_path / "x.hdf5", rows=4)
    with pytest.raises(ValueError, match="Received: batch_size=0"):
        hdf5pipeline.make_hdf5_dataset(tmp_path / "x.hdf5", 0)
    with pytest.raises(ValueError, match="fewer than one batch"):
        hdf5pipeline.make_hdf5_dataset(tmp_path / "x.hdf5", 8, drop_remainder=True)
    with pytest.raises(ValueError, match="Received: training='yes'"):
        hdf5pipeline.make_hdf5_dataset(tmp_path / "x.hdf5", 2, training="yes")


def test_reader_reopens_the_file_in_a_new_process(tmp_path, monkeypatch):
    write_indexed_file(tmp_path / "x.hdf5", rows=4)
    reader = hdf5pipeline._SliceReader(tmp_path / "x.hdf5", "images", [(0, 2), (2, 4)])
    reader(0)
    first_handle = reader._state["handle"]
    reader(1)
    assert reader._state["handle"] is first_handle
    monkeypatch.setattr(hdf5pipeline.os, "getpid", lambda: -12345)
    images, labels = reader(1)
    assert reader._state["handle"] is not first_handle
    assert row_ids(images) == [2, 3] and labels.tolist() == [0, 1]


def test_training_under_a_distribution_strategy_with_the_global_batch(tmp_path):
    write_indexed_file(tmp_path / "train.hdf5", rows=24, size=8)
    distribution = strategy_module.get_strategy()
    batch_size = pipeline.global_batch_size(4, distribution)
    assert batch_size == 4 * distribution.num_replicas_in_sync
    dataset = hdf5pipeline.make_hdf5_dataset(tmp_path / "train.hdf5", batch_size, training=True, seed=1)
    with distribution.scope():
        model = keras.Sequential(
            [keras.Input((8, 8, 3)), keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2, activation="softmax")]
        )
        model.compile(optimizer="sgd", loss="categorical_crossentropy")
    history = model.fit(dataset, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_predict_with_ten_crop_oversampling_averages_the_crops(tmp_path):
    path = tmp_path / "test.hdf5"
    images, labels = write_indexed_file(path, rows=5, size=6)
    # A model whose output depends on the crop: softmax over (mean pixel, top-left pixel).
    inputs = keras.Input((4, 4, 3))
    features = keras.layers.Concatenate()(
        [keras.layers.GlobalAveragePooling2D()(inputs), keras.layers.Lambda(lambda x: x[:, 0, 0, :])(inputs)]
    )
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(features))
    cropper = CropPreprocessor(4, 4)
    probabilities, got_labels = hdf5pipeline.predict_hdf5(
        model, path, batch_size=2, preprocessors=[cropper], verbose=0
    )
    crops = np.concatenate([cropper.preprocess(image) for image in images]).astype("float32") / 255.0
    expected = model.predict(crops, verbose=0).reshape(5, 10, 2).mean(axis=1)
    np.testing.assert_allclose(probabilities, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(got_labels, labels)
    single, _ = hdf5pipeline.predict_hdf5(model, path, preprocessors=[pipeline.resize_batch(4, 4)], verbose=0)
    assert single.shape == (5, 2)


def test_read_mean_and_info(tmp_path):
    write_indexed_file(tmp_path / "x.hdf5", rows=4, classes=2)
    info = hdf5format.read_dataset_info(tmp_path / "x.hdf5")
    assert info["rows"] == 4 and info["row_shape"] == (4, 4, 3) and info["classes"] == 2
    assert info["label_names"] == ["class0", "class1"]
    assert json.dumps(hdf5format.read_mean(tmp_path / "x.hdf5"))


def test_a_one_row_tail_is_merged_so_two_replicas_can_train_and_predict(tmp_path):
    write_indexed_file(tmp_path / "val.hdf5", rows=17, classes=3)
    epoch = _epoch(_raw(tmp_path / "val.hdf5", 8, replicas=2))
    assert [len(batch) for batch in epoch] == [8, 9]
    assert sorted(row for batch in epoch for row in batch) == list(range(17))
    distribution = strategy_module.get_strategy()
    for _ in range(5):  # the odd-sized slice never comes first, whatever the shuffle
        assert len(_epoch(_raw(tmp_path / "val.hdf5", 8, shuffle=True, replicas=2))[0]) == 8
    dataset = hdf5pipeline.make_hdf5_dataset(tmp_path / "val.hdf5", 8, training=True)
    with distribution.scope():
        model = keras.Sequential([
            keras.Input((4, 4, 3)),
            keras.layers.Conv2D(4, 3, padding="same"),
            keras.layers.BatchNormalization(),
            keras.layers.Flatten(),
            keras.layers.Dense(3, activation="softmax"),
        ])
        model.compile("sgd", "categorical_crossentropy")
    model.fit(dataset, epochs=1, verbose=0)
    probabilities, labels = hdf5pipeline.predict_hdf5(model, tmp_path / "val.hdf5", batch_size=8, verbose=0)
    assert probabilities.shape == (17, 3) and len(labels) == 17


def _slice_starts(dataset):
    return [batch[0] for batch in _epoch(dataset)]


def test_the_slice_order_of_epoch_k_is_a_function_of_the_seed_and_k(tmp_path):
    write_indexed_file(tmp_path / "train.hdf5", rows=64)
    dataset = _raw(tmp_path / "train.hdf5", 8, training=True, seed=3)
    epochs = [_slice_starts(dataset) for _ in range(3)]
    assert len({tuple(epoch) for epoch in epochs}) == 3
    assert _slice_starts(_raw(tmp_path / "train.hdf5", 8, training=True, seed=3, initial_epoch=2)) == epochs[2]
    # Inside fit, the dataset follows fit's epoch (see pipeline.epoch_callbacks).
    (epoch_seeds,) = pipeline.epoch_callbacks(dataset)
    epoch_seeds.on_epoch_begin(1)
    assert _slice_starts(dataset) == _slice_starts(dataset) == epochs[1]
    assert pipeline.epoch_callbacks(_raw(tmp_path / "train.hdf5", 8)) == []  # validation: not keyed


def _write_random_file(path, rows, size):
    from pyimagesearch.io.hdf5datasetwriter import HDF5DatasetWriter

    images = np.random.default_rng(0).integers(0, 255, (rows, size, size, 3), dtype=np.uint8)
    with HDF5DatasetWriter(images.shape, path) as writer:
        writer.store_class_labels(["class0", "class1"])
        writer.add(images, np.arange(rows) % 2)
    return images


def test_each_row_gets_the_transform_keyed_on_its_epoch_and_row_whatever_the_order(tmp_path):
    from pyimagesearch.preprocessing import build_augmentation

    images = _write_random_file(tmp_path / "train.hdf5", rows=48, size=12)
    write_indexed_file(tmp_path / "ids.hdf5", rows=48)  # same slices; its pixels name the rows

    def by_row(shuffle_seed):
        """{row: augmented image} for the first epoch, under the slice order of `shuffle_seed`."""
        starts = _slice_starts(_raw(tmp_path / "ids.hdf5", 8, training=True, seed=shuffle_seed))
        augmentation = build_augmentation(seed=7)
        dataset = _raw(tmp_path / "train.hdf5", 8, training=True, seed=shuffle_seed, augmentation=augmentation)
        augmented = np.concatenate([batch.numpy() for batch, _ in dataset])
        return starts, dict(zip([start + offset for start in starts for offset in range(8)], augmented))

    (one_order, one), (other_order, other) = by_row(1), by_row(2)
    assert one_order != other_order
    assert sorted(one) == sorted(other) == list(range(48))
    for row in range(48):
        np.testing.assert_array_equal(one[row], other[row])
    assert not np.array_equal(one[0], images[0])


def test_shuffled_raw_slices_are_keyed_too(tmp_path):
    write_indexed_file(tmp_path / "train.hdf5", rows=40)
    slices = hdf5pipeline.make_hdf5_slices(tmp_path / "train.hdf5", 8, shuffle=True, seed=3, initial_epoch=1)
    assert len(slices.element_spec) == 2 and len(pipeline.epoch_callbacks(slices)) == 1
    trained = _slice_starts(_raw(tmp_path / "train.hdf5", 8, training=True, seed=3, initial_epoch=1))
    assert [row_ids(batch)[0] for batch, _ in slices] == trained


def test_a_resumed_fit_from_hdf5_repeats_the_uninterrupted_one_on_two_replicas(tmp_path):
    from pyimagesearch.preprocessing import build_augmentation
    from tests import resumetesting

    _write_random_file(tmp_path / "train.hdf5", rows=36, size=8)  # 36 rows: a short last slice

    def train():
        return hdf5pipeline.make_hdf5_dataset(
            tmp_path / "train.hdf5", 8, training=True, seed=1, augmentation=build_augmentation(seed=3), replicas=2
        )

    uninterrupted, resumed = resumetesting.uninterrupted_and_resumed(train, tmp_path / "epoch_1.keras")
    resumetesting.assert_same_run(uninterrupted, resumed)
