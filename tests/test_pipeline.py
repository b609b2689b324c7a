import numpy as np
import pytest
import tensorflow as tf

from pyimagesearch.io import pipeline
from pyimagesearch.preprocessing import CropPreprocessor, MeanPreprocessor, PatchPreprocessor, SimplePreprocessor


def _batch(count=2, size=6):
    values = np.arange(count * size * size * 3, dtype=np.float32) % 256
    return tf.constant(values.reshape(count, size, size, 3)), tf.constant(np.arange(count) % 2)


def test_order_is_preprocessors_then_augmentation_then_mean_then_scale():
    calls = []

    def record(name, function):
        def wrapped(images, **keywords):
            calls.append(name)
            return function(images)

        return wrapped

    transform = pipeline.make_batch_transform(
        classes=2,
        scale=0.5,
        mean={"R": 30.0, "G": 20.0, "B": 10.0},
        augmentation=record("augmentation", lambda images: images + 1.0),
        preprocessors=[record("first", lambda images: images * 2.0), record("second", lambda images: images + 4.0)],
    )
    images, labels = _batch()
    got, one_hot = transform(images, labels)
    assert calls == ["first", "second", "augmentation"]
    expected = ((images.numpy() * 2.0 + 4.0 + 1.0) - np.array([10.0, 20.0, 30.0])) * 0.5
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6)
    np.testing.assert_array_equal(one_hot.numpy(), [[1, 0], [0, 1]])


def test_course_batch_preprocessors_plug_in():
    images, labels = _batch(size=8)
    transform = pipeline.make_batch_transform(
        classes=2, scale=1.0, preprocessors=[PatchPreprocessor(5, 5, seed=1), MeanPreprocessor(1.0, 2.0, 3.0)]
    )
    got, _ = transform(images, labels)
    assert got.shape == (2, 5, 5, 3)
    crops, _ = pipeline.make_batch_transform(
        one_hot=False, preprocessors=[CropPreprocessor(4, 4)], data_format="channels_first"
    )(images, labels)
    assert crops.shape == (2, 10, 3, 4, 4)  # crops stay second, channels move before the rows


def test_per_image_preprocessors_are_refused_with_a_hint():
    with pytest.raises(ValueError, match="preprocess_batch.*Received: SimplePreprocessor"):
        pipeline.make_batch_transform(classes=2, preprocessors=[SimplePreprocessor(4, 4)])


def test_resize_batch():
    images, _ = _batch(size=8)
    assert pipeline.resize_batch(4, 2)(images).shape == (2, 2, 4, 3)
    with pytest.raises(ValueError, match="Received: width=0"):
        pipeline.resize_batch(0, 2)
    with pytest.raises(ValueError, match="Received: interpolation='cubic'"):
        pipeline.resize_batch(2, 2, interpolation="cubic")


def test_global_batch_size():
    class FakeStrategy:
        num_replicas_in_sync = 4

    assert pipeline.global_batch_size(32) == 32
    assert pipeline.global_batch_size(32, FakeStrategy()) == 128
    with pytest.raises(ValueError, match="Received: per_replica_batch_size=0"):
        pipeline.global_batch_size(0)


@pytest.mark.parametrize(
    "keywords, message",
    [
        ({"classes": None}, "classes"),
        ({"classes": 2, "scale": 0}, "scale"),
        ({"classes": 2, "mean": (1.0, 2.0)}, "mean"),
        ({"classes": 2, "data_format": "nhwc"}, "data_format"),
    ],
)
def test_invalid_transform_arguments(keywords, message):
    with pytest.raises(ValueError, match=message) as error:
        pipeline.make_batch_transform(**keywords)
    assert "Received: " in str(error.value)


def test_array_dataset_shuffles_each_epoch_and_batches():
    images = np.arange(10, dtype=np.uint8)[:, None, None, None] * np.ones((1, 2, 2, 3), np.uint8)
    dataset = pipeline.make_array_dataset(
        images, np.zeros(10, int), 4, pipeline.make_batch_transform(one_hot=False, scale=1.0), shuffle=True, seed=0
    )
    epochs = [[int(value) for batch, _ in dataset for value in batch.numpy()[:, 0, 0, 0]] for _ in range(2)]
    assert sorted(epochs[0]) == list(range(10)) and epochs[0] != epochs[1]


@pytest.mark.parametrize(
    "rows, batch_size, replicas, expected",
    [
        (16, 8, 2, [(0, 8), (8, 16)]),
        (18, 8, 2, [(0, 8), (8, 16), (16, 18)]),
        (17, 8, 2, [(0, 8), (8, 17)]),  # a 1-row tail would leave a replica empty
        (7, 8, 2, [(0, 4), (4, 7)]),  # one batch of 7 would not split evenly
        (5, 8, 2, [(0, 2), (2, 5)]),
        (5, 2, 2, [(0, 2), (2, 5)]),
        (17, 8, 1, [(0, 8), (8, 16), (16, 17)]),
    ],
)
def test_batch_bounds_keep_every_row_and_never_leave_a_replica_empty(rows, batch_size, replicas, expected):
    bounds = pipeline.batch_bounds(rows, batch_size, replicas)
    assert bounds == expected
    assert bounds[0][1] % replicas == 0
    assert all(stop - start >= replicas for start, stop in bounds)


@pytest.mark.parametrize("rows", [1, 3])
def test_batch_bounds_refuse_rows_that_cannot_be_split(rows):
    with pytest.raises(ValueError, match=f"Received: rows={rows}"):
        pipeline.batch_bounds(rows, 8, 2)


def _batch_norm_model():
    import keras

    model = keras.Sequential([
        keras.Input((4, 4, 3)),
        keras.layers.Conv2D(4, 3, padding="same"),
        keras.layers.BatchNormalization(),
        keras.layers.Flatten(),
        keras.layers.Dense(3, activation="softmax"),
    ])
    model.compile("sgd", "categorical_crossentropy")
    return model


@pytest.mark.parametrize("rows", [17, 7])
def test_odd_row_counts_train_evaluate_and_predict_on_two_replicas(rows):
    # Batched naively on 2 replicas, 17 rows leave a 1-row batch (BatchNormalization fails on
    # the empty replica) and 7 rows make a first batch that can't split evenly (Keras' model
    # build in fit and evaluate fails). TF 2.21, Keras 3.15.
    from pyimagesearch.utils import strategy

    distribution = strategy.get_strategy()
    assert distribution.num_replicas_in_sync == 2
    images = np.random.default_rng(0).integers(0, 255, (rows, 4, 4, 3), dtype=np.uint8)
    labels = np.arange(rows) % 3
    transform = pipeline.make_batch_transform(3)
    train = pipeline.make_array_dataset(images, labels, 8, transform, shuffle=True, seed=1)
    test = pipeline.make_array_dataset(images, labels, 8, transform)
    with distribution.scope():
        model = _batch_norm_model()
    model.fit(train, validation_data=test, epochs=2, verbose=0)
    model.evaluate(test, verbose=0)
    assert model.predict(test, verbose=0).shape == (rows, 3)
    trained_rows = sum(len(batch) for batch, _ in train)
    assert rows - 2 < trained_rows <= rows  # training leaves out fewer rows than replicas


def test_a_training_batch_that_replicas_cannot_share_evenly_is_refused():
    images = np.zeros((20, 4, 4, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match="multiple of the 2 replicas"):
        pipeline.make_array_dataset(images, np.zeros(20), 7, pipeline.make_batch_transform(3), shuffle=True, replicas=2)


def test_array_dataset_refuses_a_boolean_batch_size():
    # `isinstance(True, int)` once let batch_size=True through as a batch of one.
    images, labels = np.zeros((4, 2, 2, 3), np.uint8), np.zeros(4, np.int64)
    with pytest.raises(ValueError, match=r"positive integer\. Received: batch_size=True$"):
        pipeline.make_array_dataset(images, labels, True, pipeline.make_batch_transform(classes=2), replicas=1)
