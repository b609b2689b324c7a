"""End to end: a small ResNet on a tiny synthetic Tiny ImageNet, the polynomial decay kept across a restart,
--learning-rate refused on it, the report rebuilt."""

import json
import types

import pytest

from pyimagesearch.datasets import synthetictinyimagenet
from pyimagesearch.io import tinyimagenetbuilder
from pyimagesearch.training import fitting
from pyimagesearch.utils import errors, strategy
from tests import inprocessscripts, kerasfiles, scripts

CLASSES = 6
# Small stand-ins for the course's (3, 4, 6) and (64, 128, 256, 512), so the test takes seconds.
SMALL = ("--stages", 1, 1, 1, "--filters", 8, 8, 16, 32)


def run_script(name, *arguments):
    environment = {strategy.CPU_REPLICAS_VARIABLE: "1"}  # as in test_deepergooglenet_tiny_imagenet
    return scripts.run_experiment_script("resnet_tiny_imagenet", name, arguments, environment=environment)


def test_train_restart_on_the_decay_and_evaluate(tmp_path):
    stand_in = synthetictinyimagenet.generate_synthetic_tiny_imagenet(
        tmp_path / "stand-in", classes=CLASSES, train_per_class=6, val_per_class=2, verbose=False
    )
    hdf5_dir = tmp_path / "hdf5"
    # The DeeperGoogLeNet experiment's build serves both; its script is run by that experiment's test.
    tinyimagenetbuilder.build_tiny_imagenet_hdf5(stand_in, hdf5_dir, val_per_class=2, workers=1, progress=False)
    output = tmp_path / "output"
    scripts.check_succeeded(run_script(
        "train.py", "--dataset", hdf5_dir, *SMALL, "--epochs", 3, "--batch-size", 4,
        "--checkpoint-every", 1, "--precision", "float32", "--output", output, "--run-id", "tiny",
    ))
    run_dir = output / "resnet_tiny_imagenet" / "tiny"
    saved = json.loads((run_dir / "config.json").read_text())["arguments"]
    assert (saved["stages"], saved["filters"]) == ([1, 1, 1], [8, 8, 16, 32])
    assert kerasfiles.residual_blocks(run_dir / "model.keras") == [
        "stage1_block1_add", "stage2_block1_add", "stage3_block1_add",
    ]
    # poly_decay over 3 epochs: 0.1, 0.0667, 0.0333; the history holds the rate of the step after each epoch.
    decayed = [0.1 * 2 / 3, 0.1 / 3, 0.1 / 3]
    assert json.loads((run_dir / "history.json").read_text())["learning_rate"] == pytest.approx(decayed, rel=1e-5)

    # `--resume RUN --learning-rate 0.01` is refused on the checkpoint train.py wrote: its optimizer
    # follows the decay. Asked in this process (a child would spend most of its time importing
    # TensorFlow); the user error's exit code 2 is cli.run's, tested with the other scripts.
    resumed_with_a_rate = types.SimpleNamespace(from_epoch=None, learning_rate=0.01, given_flags=["learning_rate"])
    refusal = r"follows a learning-rate schedule.*Received: --learning-rate 0.01$"
    with pytest.raises(errors.InvalidArgumentError, match=refusal):
        fitting.build_or_resume_model(run_dir, strategy.get_strategy(), None, resumed_with_a_rate)

    # Back to epoch 1's checkpoint: the schedule and its step count come with it (not 0.1 again).
    scripts.check_succeeded(run_script("train.py", "--resume", run_dir, "--from-epoch", 1))
    history = json.loads((run_dir / "history.json").read_text())
    assert history["learning_rate"] == pytest.approx(decayed, rel=1e-5) and len(history["loss"]) == 3

    recorded = json.loads((run_dir / "metrics.json").read_text())
    assert recorded["samples"] == CLASSES * 2 and 0 <= recorded["rank1"] <= recorded["rank5"] <= 1
    # evaluate.py reads the HDF5 folder from the run folder alone, from another working directory.
    evaluated = scripts.check_succeeded(inprocessscripts.run_experiment_script(
        "resnet_tiny_imagenet", "evaluate.py", ["--run", run_dir], cwd=tmp_path
    ))
    rebuilt = json.loads((run_dir / "evaluation" / "metrics.json").read_text())
    assert rebuilt["rank5"] == pytest.approx(recorded["rank5"]) and rebuilt["accuracy"] == pytest.approx(recorded["accuracy"])
    assert f"rank-5 recorded by train.py: {recorded['rank5']:.4f}" in evaluated.stdout
