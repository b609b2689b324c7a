"""End to end: a run's history.json is a function of its seed and data, on two CPU replicas.

The flagship (experiments/minivgg_flowers17/train.py, MiniVGGNet with BatchNormalization and
Dropout) runs in its own processes on a tiny folder, with augmentation: once for 4 epochs, and
again with the same seed, stopped after epoch 2 and resumed in a new process to epoch 4. Every
number in history.json must agree with the uninterrupted run to a relative 1e-6 (they agree
exactly on CPU).
"""

import hashlib
import json

import cv2
import numpy as np
import pytest

from pyimagesearch.utils import strategy
from tests import scripts

TOLERANCE = 1e-6
COMMON = ("--image-size", "16", "--batch-size", "4", "--checkpoint-every", "1")


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    """3 classes of 9 colour-cued JPEGs of odd sizes."""
    root = tmp_path_factory.mktemp("flowers")
    random = np.random.default_rng(0)
    for class_index in range(3):
        folder = root / f"class_{class_index}"
        folder.mkdir()
        for number in range(9):
            image = random.integers(0, 60, (37 + 5 * number, 53 + 3 * number, 3), dtype=np.uint8)
            image[..., class_index] += 150
            cv2.imwrite(str(folder / f"{number}.jpg"), image)
    return root


def train(*arguments):
    environment = {strategy.CPU_REPLICAS_VARIABLE: "2"}
    completed = scripts.run_experiment_script("minivgg_flowers17", "train.py", arguments, environment=environment)
    return scripts.check_succeeded(completed)


def history(output, run_id):
    path = output / "minivgg_flowers17" / run_id / "history.json"
    return json.loads(path.read_text()), hashlib.sha256(path.read_bytes()).hexdigest()


def max_relative_difference(first, second):
    """The largest relative difference between two histories with the same series and lengths."""
    assert first.keys() == second.keys()
    worst = 0.0
    for key in first:
        assert len(first[key]) == len(second[key]), key
        for one, other in zip(first[key], second[key]):
            if one != other:
                worst = max(worst, abs(one - other) / max(abs(one), abs(other)))
    return worst


def first_epochs(history_dict, count):
    return {key: values[:count] for key, values in history_dict.items()}


def test_a_run_with_the_same_seed_repeats_it_and_a_stopped_one_resumes_to_the_same_history(image_folder, tmp_path):
    # With augmentation on, both of the run's random streams (shuffle order and augmentation)
    # have to restart where they were; --no-augment uses the same shuffle stream and so is covered.
    train("--dataset", image_folder, "--output", tmp_path, "--augment", *COMMON, "--epochs", "4", "--run-id", "whole")
    whole, whole_sha256 = history(tmp_path, "whole")
    # The stopped run is a second run with the same seed in a new process: its two epochs must
    # repeat the first run's.
    train("--dataset", image_folder, "--output", tmp_path, "--augment", *COMMON, "--epochs", "2", "--run-id", "stopped")
    stopped, _ = history(tmp_path, "stopped")
    assert len(stopped["loss"]) == 2
    assert max_relative_difference(first_epochs(whole, 2), stopped) <= TOLERANCE
    completed = train("--resume", tmp_path / "minivgg_flowers17" / "stopped", "--epochs", "4")
    assert "resuming from" in completed.stdout and "epoch 2" in completed.stdout
    resumed, resumed_sha256 = history(tmp_path, "stopped")
    assert len(resumed["loss"]) == 4
    assert max_relative_difference(whole, resumed) <= TOLERANCE
    print(f"whole {whole_sha256}, resumed {resumed_sha256}")
