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


def _row_order(dataset):
    """The rows of one pass, in order (images whose pixels are their row index)."""
    return [int(value) for batch, _ in dataset for value in batch.numpy()[:, 0, 0, 0]]


def _indexed_images(rows=10, size=2):
    return np.arange(rows, dtype=np.uint8)[:, None, None, None] * np.ones((1, size, size, 3), np.uint8)


def _shuffled(initial_epoch=0, seed=0, rows=10):
    transform = pipeline.make_batch_transform(one_hot=False, scale=1.0)
    return pipeline.make_array_dataset(
        _indexed_images(rows), np.zeros(rows, int), 4, transform, shuffle=True, seed=seed, replicas=2,
        initial_epoch=initial_epoch,
    )


def test_the_order_of_epoch_k_is_a_function_of_the_seed_and_k():
    dataset = _shuffled()
    epochs = [_row_order(dataset) for _ in range(3)]
    assert len({tuple(epoch) for epoch in epochs}) == 3  # reshuffled every pass
    assert _row_order(_shuffled(initial_epoch=2)) == epochs[2]  # a run resumed at epoch 2
    assert _row_order(_shuffled(seed=1)) != epochs[0]


def test_during_fit_the_dataset_follows_the_epoch_keras_is_in():
    dataset = _shuffled()
    epoch_4 = _row_order(_shuffled(initial_epoch=4))
    (epoch_seeds,) = pipeline.epoch_callbacks(dataset)
    epoch_seeds.on_epoch_begin(4)
    # Keras opens extra passes (to build the model, and one ahead at the end of an epoch);
    # all of them see the epoch fit is in.
    assert _row_order(dataset) == _row_order(dataset) == epoch_4
    epoch_seeds.on_train_end()
    assert epoch_seeds.epoch == 5
    assert pipeline.epoch_callbacks(pipeline.make_array_dataset(
        _indexed_images(), np.zeros(10, int), 4, pipeline.make_batch_transform(one_hot=False)
    )) == []  # evaluation data is not keyed


def test_each_image_reaches_the_augmentation_with_its_epoch_and_row():
    def augmentation(images, training=True, keys=None):
        # Writes epoch * 100 + row into every pixel, so the output shows the keys it got.
        code = tf.cast(keys[:, 0] * 100 + keys[:, 1], tf.float32)
        return images * 0 + code[:, None, None, None]

    transform = pipeline.make_batch_transform(one_hot=False, scale=1.0, augmentation=augmentation)
    assert transform.uses_keys
    # Unshuffled but augmented, so keyed too; the rows stay in order.
    dataset = pipeline.make_array_dataset(
        _indexed_images(rows=6), np.zeros(6, int), 4, transform, replicas=2, initial_epoch=3
    )
    assert _row_order(dataset) == [300, 301, 302, 303, 304, 305]
    assert _row_order(dataset) == [400, 401, 402, 403, 404, 405]
    plain = pipeline.make_batch_transform(one_hot=False, augmentation=lambda images, training=True: images)
    assert not plain.uses_keys


def test_augmented_batches_are_the_same_in_every_run_and_after_a_resume():
    from pyimagesearch.preprocessing import build_augmentation

    images = np.random.default_rng(0).integers(0, 255, (40, 12, 12, 3), dtype=np.uint8)

    def batches(initial_epoch=0):
        transform = pipeline.make_batch_transform(one_hot=False, scale=1.0, augmentation=build_augmentation(seed=3))
        dataset = pipeline.make_array_dataset(
            images, np.arange(40), 4, transform, shuffle=True, seed=1, replicas=2, initial_epoch=initial_epoch
        )
        return [[(labels.numpy(), batch.numpy()) for batch, labels in dataset] for _ in range(2)]

    first, again, resumed = batches(), batches(), batches(initial_epoch=1)
    for one, other in ((first, again), (first[1:], resumed[:1])):
        for epoch, other_epoch in zip(one, other):
            for (labels, batch), (other_labels, other_batch) in zip(epoch, other_epoch):
                np.testing.assert_array_equal(labels, other_labels)
                np.testing.assert_array_equal(batch, other_batch)
    # Row r in epoch k gets the transform keyed on (seed, k, r), wherever it lands in the order.
    labels, batch = first[0][0]
    keys = np.stack([np.zeros_like(labels), labels], axis=1)
    expected = build_augmentation(seed=3).augment_batch(images[labels].astype(np.float32), keys)
    np.testing.assert_array_equal(batch, expected)


def test_a_resumed_fit_repeats_the_uninterrupted_one_on_two_replicas(tmp_path):
    from pyimagesearch.preprocessing import build_augmentation
    from tests import resumetesting

    random = np.random.default_rng(0)
    images = random.integers(0, 255, (22, 8, 8, 3), dtype=np.uint8)  # 22 rows: a short last batch
    labels = np.arange(22) % 2

    def train():
        transform = pipeline.make_batch_transform(2, augmentation=build_augmentation(seed=3))
        return pipeline.make_array_dataset(images, labels, 8, transform, shuffle=True, seed=1, replicas=2)

    def validation():
        return pipeline.make_array_dataset(images[:10], labels[:10], 8, pipeline.make_batch_transform(2), replicas=2)

    uninterrupted, resumed = resumetesting.uninterrupted_and_resumed(train, tmp_path / "epoch_1.keras", validation)
    resumetesting.assert_same_run(uninterrupted, resumed)
