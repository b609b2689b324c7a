"""TerminateOnNonFinite (pyimagesearch/callbacks/terminateonnonfinite.py)."""

import math

import pytest

from pyimagesearch.callbacks import NonFiniteLossError, TerminateOnNonFinite
from pyimagesearch.utils import errors


@pytest.mark.parametrize("loss", [math.nan, math.inf, -math.inf])
def test_a_non_finite_batch_loss_raises_with_epoch_and_batch(loss):
    callback = TerminateOnNonFinite()
    callback.on_epoch_begin(2)
    callback.on_train_batch_end(0, {"loss": 0.5})
    with pytest.raises(NonFiniteLossError, match=rf"became {loss} in epoch 3 \(batch 5\)") as raised:
        callback.on_train_batch_end(4, {"loss": loss})
    assert (raised.value.epoch, raised.value.batch) == (3, 4)
    assert isinstance(raised.value, errors.UserError)


def test_finite_and_missing_losses_pass():
    callback = TerminateOnNonFinite()
    callback.on_epoch_begin(0)
    callback.on_train_batch_end(0, {"loss": 1e30})
    callback.on_train_batch_end(1, {})
    callback.on_train_batch_end(2, None)
