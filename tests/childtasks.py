"""Module-level functions for `sessions.run_in_own_process` tests: a child process imports them by name.

Keras is imported inside the function that needs it, so a parent process that imports this
module (to name a function) stays free of TensorFlow, and its own peak memory means something.
"""

import os
import signal

from pyimagesearch.utils import errors


def process_id_and_arguments(*arguments, **keyword_arguments):
    return os.getpid(), arguments, keyword_arguments


def raise_user_error(path):
    raise errors.InvalidFileError(f"{path} is not a run folder. Received: {path}")


def exit_with(code):
    raise SystemExit(code)


def die_by_signal():
    os.kill(os.getpid(), signal.SIGKILL)


class UnpicklableError(Exception):
    """Needs two arguments to be built, so unpickling it (which passes one) fails."""

    def __init__(self, first, second):
        super().__init__(f"{first} and {second}")


def raise_unpicklable_error():
    raise UnpicklableError("one", "two")


def train_minivggnet(seed):
    """Trains a small MiniVGGNet in graph mode for two epochs, as a member of an ensemble does."""
    import keras
    import numpy as np

    from pyimagesearch.nn.conv import MiniVGGNet

    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    images = rng.random((64, 32, 32, 3), dtype=np.float32)
    labels = keras.utils.to_categorical(rng.integers(0, 3, size=64), 3)
    model = MiniVGGNet.build(width=32, height=32, depth=3, classes=3)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="categorical_crossentropy")
    history = model.fit(images, labels, batch_size=16, epochs=2, verbose=0)
    return history.history["loss"][-1]
