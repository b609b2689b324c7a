"""Ensemble averaging: the mean of the members' probabilities, per-member accuracies, bad input refused."""

import keras
import numpy as np
import pytest

from pyimagesearch.nn import ensembles
from pyimagesearch.utils import errors


def test_average_is_the_mean_probability_and_can_outvote_a_majority():
    # Two members unsure for class 0, one sure for class 1: a vote says 0, the average says 1.
    members = np.array([[[0.55, 0.45]], [[0.55, 0.45]], [[0.0, 1.0]]])
    averaged = ensembles.average_probabilities(members)
    assert averaged == pytest.approx(np.array([[1.1 / 3, 1.9 / 3]]))
    assert averaged.argmax(axis=1).tolist() == [1]


def test_member_accuracies_compare_each_member_with_the_labels():
    members = np.array([[[0.9, 0.1], [0.2, 0.8]], [[0.1, 0.9], [0.2, 0.8]]])
    assert ensembles.member_accuracies(members, np.array([0, 1])) == [1.0, 0.5]


@pytest.mark.parametrize("bad", [np.zeros((2, 3)), np.zeros((0, 3, 2)), np.full((1, 2, 2), 0.9),
                                 np.array([[[1.5, -0.5]]]), np.array([[[np.nan, 1.0]]])])
def test_anything_but_a_stack_of_probability_rows_is_refused(bad):
    with pytest.raises(errors.InvalidArgumentError, match="Received"):
        ensembles.average_probabilities(bad)


def test_member_accuracies_refuses_a_label_count_that_does_not_match():
    with pytest.raises(errors.InvalidArgumentError, match="2 labels"):
        ensembles.member_accuracies(np.full((1, 3, 2), 0.5), np.array([0, 1]))


def test_predict_members_stacks_the_predictions_of_models_from_a_generator():
    images = np.random.default_rng(0).random((5, 3)).astype("float32")
    built = []

    def models():
        for seed in (1, 2):
            keras.utils.set_random_seed(seed)
            model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="softmax")])
            built.append(model)
            yield model

    stacked = ensembles.predict_members(models(), images)
    assert stacked.shape == (2, 5, 4)
    assert stacked[1] == pytest.approx(built[1].predict(images, verbose=0), abs=1e-6)
    with pytest.raises(errors.InvalidArgumentError, match="at least one model"):
        ensembles.predict_members(iter(()), images)
