"""End to end: MiniVGGNet on a tiny CIFAR-10 folder trains, restarts at a new rate, evaluates, draws."""

import json

import pytest

from pyimagesearch.utils import strategy
from tests import cifar10folders, inprocessscripts, kerasfiles, scripts

EXPERIMENT = "minivgg_cifar10"


def run_script(name, *arguments):
    # Two replicas: this test covers the CIFAR-10 plumbing on two for the other CIFAR-10 experiments.
    environment = {strategy.CPU_REPLICAS_VARIABLE: "2"}
    return scripts.run_experiment_script(EXPERIMENT, name, arguments, environment=environment)


def run_in_process(name, *arguments, cwd=None):
    """The scripts that change no process-wide state run in this process (tests/inprocessscripts.py)."""
    return scripts.check_succeeded(inprocessscripts.run_experiment_script(EXPERIMENT, name, arguments, cwd))


def test_train_without_batch_norm_restart_at_a_lower_rate_and_evaluate(tmp_path):
    # 20 training images: 3 steps an epoch at a global batch of 8.
    dataset = cifar10folders.write_tiny_cifar10(tmp_path / "cifar10", train_per_batch=4)
    run_dir = tmp_path / EXPERIMENT / "tiny"
    scripts.check_succeeded(run_script(
        "train.py", "--dataset", dataset, "--no-batch-norm", "--lr-schedule", "none", "--epochs", "2",
        "--batch-size", "4", "--checkpoint-every", "1", "--output", tmp_path, "--run-id", "tiny",
    ))
    config = json.loads((run_dir / "config.json").read_text())
    assert config["arguments"]["batch_norm"] is False and config["arguments"]["dataset"] == str(dataset)
    classes = [layer["class_name"] for layer in kerasfiles.layer_configs(run_dir / "model.keras")]
    assert "BatchNormalization" not in classes and classes.count("Conv2D") == 4
    recorded = json.loads((run_dir / "metrics.json").read_text())
    assert recorded["samples"] == 16

    # The course's restart: back to epoch 1's checkpoint, on at a tenth of the rate.
    restarted = scripts.check_succeeded(run_script(
        "train.py", "--resume", run_dir, "--from-epoch", "1", "--learning-rate", "0.001", "--epochs", "2",
    ))
    assert "learning rate 0.01 -> 0.001" in restarted.stdout
    history = json.loads((run_dir / "history.json").read_text())
    assert len(history["loss"]) == 2
    assert history["learning_rate"] == pytest.approx([0.01, 0.001])
    assert list((run_dir / "replaced").glob("*-from-epoch-1/checkpoints/epoch_2.keras"))

    # evaluate.py finds the dataset from config.json alone, from another working directory.
    evaluated = run_in_process("evaluate.py", "--run", run_dir, cwd=tmp_path)
    rebuilt = json.loads((run_dir / "evaluation" / "metrics.json").read_text())
    final = json.loads((run_dir / "metrics.json").read_text())
    assert rebuilt["accuracy"] == pytest.approx(final["accuracy"]) and rebuilt["samples"] == 16
    assert f"{final['accuracy']:.4f}" in evaluated.stdout


def test_visualize_writes_the_diagram_or_the_summary_it_falls_back_to(tmp_path):
    output_file = tmp_path / "minivggnet.png"
    result = run_in_process("visualize.py", "--output-file", output_file)
    if output_file.exists():
        assert output_file.read_bytes().startswith(b"\x89PNG")
    else:
        assert "pydot" in result.stdout or "dot program" in result.stdout
        summary = (tmp_path / "minivggnet.txt").read_text(encoding="utf-8")
        assert "block2_conv2_bn" in summary and "Total params" in summary
