"""pyimagesearch/utils/configs.py: keyword arguments read from a config module's constants."""

import types

import pytest

from pyimagesearch.utils import configs

CONSTANTS = {"features": "FEATURES_PATH", "seed": "SEED", "pooling": "POOLING"}


def test_reads_each_constant_under_its_keyword_and_takes_overrides():
    config = types.SimpleNamespace(FEATURES_PATH="x.hdf5", SEED=42, POOLING="avg")
    assert configs.read_constants(config, CONSTANTS) == {"features": "x.hdf5", "seed": 42, "pooling": "avg"}
    # An overridden constant need not exist.
    del config.SEED
    assert configs.read_constants(config, CONSTANTS, seed=0)["seed"] == 0


def test_an_optional_constant_the_config_lacks_is_left_out():
    config = types.SimpleNamespace(FEATURES_PATH="x.hdf5", SEED=42)
    assert configs.read_constants(config, CONSTANTS, optional=("pooling",)) == {"features": "x.hdf5", "seed": 42}


def test_names_a_missing_constant_or_an_unknown_keyword():
    config = types.SimpleNamespace(FEATURES_PATH="x.hdf5")
    with pytest.raises(ValueError, match=r"needs SEED, POOLING .*Received: a config without SEED, POOLING"):
        configs.read_constants(config, CONSTANTS)
    with pytest.raises(ValueError, match=r"`experiment_main` replaces only features, seed, pooling. Received: power"):
        configs.read_constants(config, CONSTANTS, caller="experiment_main", seed=1, pooling=None, power=2)
