"""TerminateOnNonFinite: stop training at the first NaN or infinite batch loss, with an error.

Keras' own `TerminateOnNaN()` stops gracefully, so `fit()` returns as if training had
finished and the script goes on to save and report a diverged model. This callback raises
instead, before the epoch's checkpoint can be written, and says which epoch and batch went
wrong; `pyimagesearch.training.fitting` adds the last good checkpoint and the command that
restarts from it with a lower learning rate.
"""

import math

import keras

from pyimagesearch.utils import errors


class NonFiniteLossError(errors.UserError):
    """The loss became NaN or infinite. `epoch` is 1-based; `batch` is 0-based within it."""

    def __init__(self, message, epoch, batch):
        self.epoch = epoch
        self.batch = batch
        super().__init__(message)


class TerminateOnNonFinite(keras.callbacks.Callback):
    """Raises `NonFiniteLossError` at the end of the first batch whose loss is NaN or infinite."""

    def __init__(self):
        super().__init__()
        self.epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch + 1

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if not math.isfinite(loss):
            raise NonFiniteLossError(
                f"The training loss became {loss} in epoch {self.epoch} (batch {batch + 1}); training "
                "stopped and nothing of this epoch was saved.",
                epoch=self.epoch,
                batch=batch,
            )
