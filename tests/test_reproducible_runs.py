"""End to end: a run's history.json is a function of its seed and data, on two CPU replicas.

The flagship (experiments/minivgg_flowers17/train.py, MiniVGGNet with BatchNormalization and
Dropout) runs in its own processes on a tiny folder: twice with the same seed, and once stopped
after epoch 2 and resumed in a new process to epoch 4. Every number in history.json must agree
with the uninterrupted run to a relative 1e-6 (they agree exactly on CPU).
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


@pytest.fixture(scope="module")
def uninterrupted(request, image_folder, tmp_path_factory):
    """(output folder, flag, history, sha256) of a 4-epoch run with the flag `request.param`."""
    output = tmp_path_factory.mktemp("output")
    flag = request.param
    train("--dataset", image_folder, "--output", output, flag, *COMMON, "--epochs", "4", "--run-id", "whole")
    return output, flag, *history(output, "whole")


@pytest.mark.parametrize("uninterrupted", ["--augment"], indirect=True)
def test_two_runs_with_the_same_seed_write_the_same_history_with_augmentation(uninterrupted, image_folder):
    output, flag, whole, whole_sha256 = uninterrupted
    train("--dataset", image_folder, "--output", output, flag, *COMMON, "--epochs", "4", "--run-id", "again")
    again, again_sha256 = history(output, "again")
    assert max_relative_difference(whole, again) <= TOLERANCE
    print(f"same seed {flag}: {whole_sha256} {again_sha256}")


@pytest.mark.parametrize("uninterrupted", ["--augment", "--no-augment"], indirect=True)
def test_a_run_stopped_after_epoch_2_and_resumed_writes_the_uninterrupted_history(uninterrupted, image_folder):
    output, flag, whole, whole_sha256 = uninterrupted
    train("--dataset", image_folder, "--output", output, flag, *COMMON, "--epochs", "2", "--run-id", "stopped")
    resumed_run = output / "minivgg_flowers17" / "stopped"
    completed = train("--resume", resumed_run, "--epochs", "4")
    assert "resuming from" in completed.stdout and "epoch 2" in completed.stdout
    resumed, resumed_sha256 = history(output, "stopped")
    assert len(resumed["loss"]) == 4
    assert max_relative_difference(whole, resumed) <= TOLERANCE
    print(f"resumed {flag}: {whole_sha256} {resumed_sha256}")
