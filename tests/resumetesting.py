"""Helpers for the resume tests: a small model with every kind of run state, trained through
three epochs in one go and again stopped after the first epoch, saved, loaded and resumed.

The model has BatchNormalization (moving statistics per replica), Dropout (a SeedGenerator
that `model.save` leaves out) and SGD with momentum (optimizer state); the dataset is rebuilt
for the resumed part, as a new process would.
"""

import random

import keras
import numpy as np

from pyimagesearch.io import pipeline
from pyimagesearch.utils import seeding, strategy

SEED = 5
EPOCHS = 3


def build_model(size=8, classes=2):
    model = keras.Sequential([
        keras.Input((size, size, 3)),
        keras.layers.Conv2D(4, 3, padding="same"),
        keras.layers.BatchNormalization(),
        keras.layers.Activation("relu"),
        keras.layers.Dropout(0.5),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(classes, activation="softmax"),
    ])
    model.compile(keras.optimizers.SGD(0.1, momentum=0.9), "categorical_crossentropy")
    return model


def uninterrupted_and_resumed(make_dataset, checkpoint_path, validation=None):
    """Returns ((weights, history) of 3 epochs in one fit, the same after a stop at epoch 1).

    `make_dataset()` builds the training dataset; `validation`, if given, the validation one.
    """
    distribution = strategy.get_strategy()
    seeding.set_seed(SEED)
    with distribution.scope():
        model = build_model()
    uninterrupted = _fit(model, make_dataset, validation, 0)

    seeding.set_seed(SEED)
    with distribution.scope():
        model = build_model()
    first = _fit(model, make_dataset, validation, 0, epochs=1)[1]
    model.save(checkpoint_path)
    # A new process: seeded again, but with another history of random draws behind it.
    seeding.set_seed(SEED)
    for _ in range(7):
        random.random()
        np.random.rand()
    with distribution.scope():
        model = keras.saving.load_model(checkpoint_path)
    weights, rest = _fit(model, make_dataset, validation, 1)
    return uninterrupted, (weights, {key: first[key] + rest[key] for key in first})


def _fit(model, make_dataset, validation, initial_epoch, epochs=EPOCHS):
    dataset = make_dataset()
    history = model.fit(
        dataset,
        validation_data=None if validation is None else validation(),
        epochs=epochs,
        initial_epoch=initial_epoch,
        callbacks=pipeline.epoch_callbacks(dataset),
        verbose=0,
    )
    return [np.asarray(weight) for weight in model.weights], history.history


def assert_same_run(first, second, rtol=1e-6):
    (weights, history), (other_weights, other_history) = first, second
    assert history.keys() == other_history.keys()
    for key in history:
        np.testing.assert_allclose(other_history[key], history[key], rtol=rtol, err_msg=key)
    for weight, other in zip(weights, other_weights):
        np.testing.assert_allclose(other, weight, rtol=rtol, atol=1e-7)
