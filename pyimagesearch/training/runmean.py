"""The per-channel mean a run subtracts from its images, kept in the run folder as `mean.json`.

    mean = runmean.record_mean(run_dir, lambda: cifar10pipeline.training_mean(data))   # train.py
    mean = runmean.read_mean(run_dir)                                                  # evaluate.py

The file is the course's `*_mean.json` format, `{"R": r, "G": g, "B": b}` in pixel units, so
`MeanPreprocessor.from_json` reads it too. Keeping it in the run folder lets an evaluate script
rebuild the test pipeline from the folder alone, and lets a resumed run go on with the mean it
started with instead of computing it again.
"""

import json
import math
import pathlib

from pyimagesearch.io import hdf5format
from pyimagesearch.utils import atomic, errors

MEAN_FILE = "mean.json"


def record_mean(run_dir, compute_mean):
    """The run's mean: the one in `run_dir/mean.json` when the run has one (a resumed run keeps
    it), else `compute_mean()`'s (a {"R", "G", "B"} dict), written there first (atomically)."""
    path = pathlib.Path(run_dir) / MEAN_FILE
    if path.is_file():
        return read_mean(run_dir)
    mean = {channel: float(value) for channel, value in compute_mean().items()}
    atomic.write_json_atomic(path, mean)
    return mean


def read_mean(run_dir):
    """The {"R", "G", "B"} mean in `run_dir/mean.json`; a user error naming the file when it is
    missing or does not hold three finite numbers under "R", "G" and "B"."""
    path = pathlib.Path(run_dir) / MEAN_FILE
    if not path.is_file():
        raise errors.MissingFileError(
            f"No {MEAN_FILE} in {run_dir}: the run was not trained with mean subtraction, or its folder is incomplete."
        )
    try:
        mean = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise errors.InvalidFileError(f"The mean file {path} is not valid JSON. Received: {error}") from error
    if not _is_mean(mean):
        raise errors.InvalidFileError(
            f'The mean file {path} must hold three finite numbers under "R", "G" and "B". Received: {mean!r}'
        )
    return {channel: float(mean[channel]) for channel in hdf5format.MEAN_CHANNELS}


def _is_mean(value):
    if not isinstance(value, dict) or set(value) != set(hdf5format.MEAN_CHANNELS):
        return False
    # JSON booleans are Python ints; a mean of `true` is a broken file, not 1.0.
    numbers = [number for number in value.values() if isinstance(number, (int, float)) and not isinstance(number, bool)]
    return len(numbers) == len(value) and all(math.isfinite(number) for number in numbers)
