"""pyimagesearch/cli/train_classifier.py: an experiment's train_model.py flags, from its config."""

import types

import pytest

from pyimagesearch.cli import train_classifier
from pyimagesearch.transfer import classifiers


def _config(**changes):
    constants = dict(EXPERIMENT="transfer_flowers17", FEATURES_PATH="features.hdf5", C_VALUES=(0.1, 1.0),
                     TRAIN_FRACTION=0.75, FOLDS=3, MAX_ITER=1000, SEED=42, OUTPUT="output")
    constants.update(changes)
    return types.SimpleNamespace(**constants)


def test_experiment_main_takes_its_name_and_defaults_from_the_config(monkeypatch):
    trained = []
    monkeypatch.setattr(classifiers, "train_run", lambda arguments, experiment: trained.append((arguments, experiment)))
    assert train_classifier.experiment_main(_config(), argv=["--folds", "5"]) == 0
    arguments, experiment = trained[0]
    assert experiment == "transfer_flowers17"
    assert (arguments.features, arguments.c_values, arguments.train_fraction, arguments.folds) == (
        "features.hdf5", [0.1, 1.0], 0.75, 5)
    assert (arguments.max_iter, arguments.seed, arguments.output, arguments.jobs) == (1000, 42, "output", 1)


def test_experiment_main_names_a_constant_the_config_lacks():
    config = _config()
    del config.C_VALUES
    with pytest.raises(ValueError, match="needs C_VALUES"):
        train_classifier.experiment_main(config, argv=[])
