"""Keras callbacks and learning-rate schedules for training runs that can be resumed."""

from pyimagesearch.callbacks.bestmodelcheckpoint import BestModelCheckpoint
from pyimagesearch.callbacks.epochcheckpoint import EpochCheckpoint
from pyimagesearch.callbacks.epochcheckpoint import latest_checkpoint
from pyimagesearch.callbacks.schedules import PolynomialDecay
from pyimagesearch.callbacks.schedules import StepDecay
from pyimagesearch.callbacks.schedules import inverse_time_decay
from pyimagesearch.callbacks.terminateonnonfinite import NonFiniteLossError
from pyimagesearch.callbacks.terminateonnonfinite import TerminateOnNonFinite
from pyimagesearch.callbacks.trainingmonitor import TrainingMonitor

__all__ = [
    "BestModelCheckpoint",
    "EpochCheckpoint",
    "NonFiniteLossError",
    "PolynomialDecay",
    "StepDecay",
    "TerminateOnNonFinite",
    "TrainingMonitor",
    "inverse_time_decay",
    "latest_checkpoint",
]
