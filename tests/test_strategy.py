import pytest
import tensorflow as tf

from pyimagesearch.utils import strategy
from tests.conftest import TEST_CPU_REPLICAS


def test_get_strategy_mirrors_over_the_split_cpu():
    distribution = strategy.get_strategy()
    assert isinstance(distribution, tf.distribute.MirroredStrategy)
    assert distribution.num_replicas_in_sync == TEST_CPU_REPLICAS


def test_configure_cpu_replicas_rejects_a_different_count_after_initialisation():
    tf.constant(1.0)  # make sure TensorFlow is initialised
    with pytest.raises(RuntimeError, match="already initialised"):
        strategy.configure_cpu_replicas(TEST_CPU_REPLICAS + 1)


@pytest.mark.parametrize("count", [0, -1, 1.5, "2"])
def test_configure_cpu_replicas_validates_count(count):
    with pytest.raises(ValueError, match="Received"):
        strategy.configure_cpu_replicas(count)


def test_environment_variable_is_validated(monkeypatch):
    monkeypatch.setenv(strategy.CPU_REPLICAS_VARIABLE, "two")
    with pytest.raises(ValueError, match="Received"):
        strategy.get_strategy()


def test_get_strategy_returns_one_strategy_per_process():
    assert strategy.get_strategy() is strategy.get_strategy()


def test_configure_cpu_replicas_refuses_a_boolean_count():
    # `isinstance(True, int)` once let count=True through as one device.
    with pytest.raises(ValueError, match=r"Received: count=True$"):
        strategy.configure_cpu_replicas(True)
