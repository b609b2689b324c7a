"""End to end: lenet_mnist trains on scikit-learn's digits (offline) and on an MNIST file, and evaluate.py
rebuilds the recorded report from the run folder alone.

train.py runs in a process of its own, as a user runs it; evaluate.py, which changes nothing
process-wide, runs in the test process (tests/inprocessscripts.py), saving a TensorFlow import each."""

import json

import numpy as np
import pytest

from pyimagesearch.utils import strategy
from tests import inprocessscripts, scripts


def run_script(name, *arguments, cwd=None):
    environment = {strategy.CPU_REPLICAS_VARIABLE: "2"}
    return scripts.run_experiment_script("lenet_mnist", name, arguments, cwd=cwd, environment=environment)


# The tests that use `trained_run` go to one pytest-xdist worker (pytest.ini: --dist loadgroup),
# so the module-scoped run is made once, not once in each worker.
SHARES_TRAINED_RUN = pytest.mark.xdist_group("test_lenet_mnist.trained_run")


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    """One epoch of the digits recipe (momentum, cosine decay, augmentation), with its batch size
    and seed given on the command line over the recipe's."""
    output = tmp_path_factory.mktemp("output")
    result = scripts.check_succeeded(run_script(
        "train.py", "--dataset", "digits", "--recipe", "digits", "--epochs", "1", "--batch-size", "64",
        "--seed", "3", "--output", str(output), "--run-id", "smoke",
    ))
    return output / "lenet_mnist" / "smoke", result


@SHARES_TRAINED_RUN
def test_train_writes_a_complete_run_folder_with_the_recipe(trained_run):
    run_dir, _ = trained_run
    for name in ("config.json", "split.json", "history.json", "training.png", "model.keras", "best.keras",
                 "classification_report.txt", "metrics.json", "confusion_matrix.png"):
        assert (run_dir / name).is_file(), name
    config = json.loads((run_dir / "config.json").read_text())
    arguments = config["arguments"]
    assert (arguments["recipe"], arguments["momentum"], arguments["lr_schedule"], arguments["augment"]) == (
        "digits", 0.9, "cosine", True
    )
    assert (arguments["epochs"], arguments["batch_size"], config["seed"]) == (1, 64, 3)  # typed flags win
    assert config["extra"]["replicas"] == 2 and config["extra"]["augmentation"]["horizontal_flip"] is False
    split = json.loads((run_dir / "split.json").read_text())
    assert (len(split["train"]), len(split["test"]), split["seed"]) == (1347, 450, 3)
    assert (config["extra"]["train_images"], config["extra"]["test_images"]) == (1347, 450)
    history = json.loads((run_dir / "history.json").read_text())
    assert len(history["loss"]) == 1 and len(history["val_accuracy"]) == 1
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["samples"] == 450 and sorted(metrics["per_class_support"]) == [str(digit) for digit in range(10)]


@SHARES_TRAINED_RUN
def test_evaluate_reproduces_the_recorded_accuracy(trained_run, tmp_path):
    run_dir, _ = trained_run
    # From another working directory: the run folder alone is enough.
    result = scripts.check_succeeded(
        inprocessscripts.run_experiment_script("lenet_mnist", "evaluate.py", ["--run", run_dir], cwd=tmp_path)
    )
    recorded = json.loads((run_dir / "metrics.json").read_text())
    rebuilt = json.loads((run_dir / "evaluation" / "metrics.json").read_text())
    assert rebuilt["samples"] == recorded["samples"] == 450
    assert rebuilt["accuracy"] == pytest.approx(recorded["accuracy"])
    assert rebuilt["confusion_matrix"] == recorded["confusion_matrix"]
    assert f"accuracy recorded by train.py: {recorded['accuracy']:.4f}" in result.stdout


def test_an_mnist_file_trains_on_its_train_part_and_evaluates_on_its_test_part(tmp_path):
    """A tiny file in the format of Keras' mnist.npz stands in for MNIST (no network)."""
    random = np.random.default_rng(0)
    mnist_file = tmp_path / "mnist.npz"
    np.savez(
        mnist_file,
        x_train=random.integers(0, 256, (40, 28, 28), dtype=np.uint8), y_train=np.arange(40) % 10,
        x_test=random.integers(0, 256, (12, 28, 28), dtype=np.uint8), y_test=np.arange(12) % 10,
    )
    output = tmp_path / "output"
    scripts.check_succeeded(run_script(
        "train.py", "--dataset", str(mnist_file), "--epochs", "1", "--batch-size", "8", "--output", str(output),
        "--run-id", "tiny",
    ))
    run_dir = output / "lenet_mnist" / "tiny"
    config = json.loads((run_dir / "config.json").read_text())
    assert (config["arguments"]["recipe"], config["arguments"]["momentum"], config["arguments"]["augment"]) == (
        "course", 0.0, False
    )
    assert (config["extra"]["train_images"], config["extra"]["test_images"]) == (40, 12)
    assert json.loads((run_dir / "split.json").read_text())["split"].startswith("official")

    scripts.check_succeeded(inprocessscripts.run_experiment_script("lenet_mnist", "evaluate.py", ["--run", run_dir]))
    recorded = json.loads((run_dir / "metrics.json").read_text())
    rebuilt = json.loads((run_dir / "evaluation" / "metrics.json").read_text())
    assert rebuilt["samples"] == recorded["samples"] == 12
    assert rebuilt["confusion_matrix"] == recorded["confusion_matrix"]
