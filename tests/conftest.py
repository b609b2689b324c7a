"""Test-wide set-up: two CPU replicas, quiet TensorFlow, a non-interactive matplotlib."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402

from pyimagesearch.utils import strategy  # noqa: E402

# Split the CPU into two logical devices before TensorFlow initialises, so that
# `get_strategy()` gives MirroredStrategy with 2 replicas and distributed code paths
# (global batch size, per-replica variables) are exercised without a GPU.
TEST_CPU_REPLICAS = 2
strategy.configure_cpu_replicas(TEST_CPU_REPLICAS)


@pytest.fixture(autouse=True)
def _clear_keras_session():
    """Keeps layer names and memory from leaking between tests."""
    yield
    import keras

    keras.backend.clear_session()
