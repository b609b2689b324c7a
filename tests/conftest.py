"""Test-wide set-up: two CPU replicas, quiet TensorFlow, a non-interactive matplotlib."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

# progressbar2 imports its submodules on first use and keeps the stream that was live then. If
# that first use happens under a test's `capsys`, every later bar writes to a closed stream
# ("I/O operation on closed file"). Importing them here binds them to the real stream.
import progressbar.bar  # noqa: E402, F401
import progressbar.utils  # noqa: E402, F401
import pytest  # noqa: E402

from pyimagesearch.utils import strategy  # noqa: E402

# Split the CPU into two logical devices before TensorFlow initialises, so that
# `get_strategy()` gives MirroredStrategy with 2 replicas and distributed code paths
# (global batch size, per-replica variables) are exercised without a GPU.
TEST_CPU_REPLICAS = 2
strategy.configure_cpu_replicas(TEST_CPU_REPLICAS)


@pytest.fixture(autouse=True)
def _clear_keras_session():
    """Keeps layer names and Keras' global state from leaking between tests.

    Without the full garbage collection `clear_session()` runs by default: after every one of
    about 1,100 tests it cost a second of the suite's time each on a loaded 2-core machine, and
    Python's own collector frees the same objects soon after anyway.
    """
    yield
    import keras

    keras.backend.clear_session(free_memory=False)


@pytest.fixture
def channels_first():
    """Sets Keras' image data format to "channels_first" for one test, then restores it."""
    import keras

    previous = keras.backend.image_data_format()
    keras.backend.set_image_data_format("channels_first")
    yield
    keras.backend.set_image_data_format(previous)
