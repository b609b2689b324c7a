"""End to end: the NumPy perceptron and backpropagation scripts.

Each script runs once in its own process, as a user runs it (its imports, exit code and
output); the other cases call `neuralnetwork.py`'s `main(argv)` in this process through
`cli.run`, as its `__main__` does, which saves a Python start and a TensorFlow import (about
12 s on a slow CPU) per case.
"""

import functools
import importlib.util
import json
import sys

import pytest

from pyimagesearch.utils import cli
from tests import scripts

EXPERIMENT = scripts.EXPERIMENTS / "numpy_networks"


def run_script(name, *arguments):
    return scripts.run_experiment_script("numpy_networks", name, arguments)


@pytest.fixture
def neuralnetwork_script(monkeypatch):
    """neuralnetwork.py imported from the experiment folder, with its own `config`.

    Other experiments also have a module named `config`; it is swapped in only for the test.
    """
    monkeypatch.syspath_prepend(str(EXPERIMENT))
    monkeypatch.delitem(sys.modules, "config", raising=False)
    spec = importlib.util.spec_from_file_location("numpy_networks_neuralnetwork", EXPERIMENT / "neuralnetwork.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("config", None)


@pytest.fixture
def run_neuralnetwork(neuralnetwork_script, capsys):
    """Runs neuralnetwork.py's main with these flags in this process: returns (exit code, stdout, stderr)."""
    def run(*arguments):
        code = cli.run(functools.partial(neuralnetwork_script.main, [str(argument) for argument in arguments]))
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return run


def check_ran(result):
    """The stdout of an in-process run that exited 0 (else the test fails with its output)."""
    code, stdout, stderr = result
    assert code == 0, f"neuralnetwork.py exited {code}:\n{stdout[-3000:]}\n{stderr[-3000:]}"
    return stdout


def test_perceptron_learns_and_or_but_not_xor():
    result = scripts.check_succeeded(run_script("perceptron.py"))
    lines = result.stdout.splitlines()
    assert "[INFO] AND: accuracy 1.00, mistakes in the last epoch: 0" in lines
    assert "[INFO] OR: accuracy 1.00, mistakes in the last epoch: 0" in lines
    xor = next(line for line in lines if line.startswith("[INFO] XOR: accuracy"))
    assert float(xor.split("accuracy ")[1].split(",")[0]) < 1.0
    assert sum(line.startswith("[INFO] data=") for line in lines) == 12  # 4 inputs x 3 tables
    assert "not linearly separable" in result.stdout


def test_neuralnetwork_on_digits_writes_a_run_folder(tmp_path):
    result = scripts.check_succeeded(run_script(
        "neuralnetwork.py", "--epochs", "2", "--display-update", "1", "--output", tmp_path, "--run-id", "tiny"
    ))
    run_dir = tmp_path / "numpy_networks" / "tiny"
    config = json.loads((run_dir / "config.json").read_text())
    assert config["arguments"]["problem"] == "digits" and config["arguments"]["layers"] == [64, 32, 16, 10]
    assert config["arguments"]["alpha"] == 0.1 and config["seed"] == 42 and "numpy" in config["versions"]
    assert [entry["epoch"] for entry in json.loads((run_dir / "loss.json").read_text())] == [1, 2]
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["samples"] == 450 and metrics["scored_on"] == "the held-out 25%"  # 25% of 1,797
    assert list(metrics["per_class_support"]) == [str(digit) for digit in range(10)]
    report = (run_dir / "classification_report.txt").read_text()
    assert report in result.stdout and f"{metrics['accuracy']:.4f}" in result.stdout


def test_the_softmax_recipe_trains_shuffled_mini_batches_with_cross_entropy(run_neuralnetwork, tmp_path):
    stdout = check_ran(run_neuralnetwork(
        "--recipe", "softmax", "--epochs", "5", "--display-update", "1", "--output", tmp_path, "--run-id", "softmax",
    ))
    run_dir = tmp_path / "numpy_networks" / "softmax"
    arguments = json.loads((run_dir / "config.json").read_text())["arguments"]
    assert arguments["loss"] == "cross_entropy" and arguments["batch_size"] == 4 and arguments["shuffle"] is True
    assert arguments["alpha"] == 1.0 and arguments["layers"] == [64, 32, 16, 10]
    assert "loss cross_entropy, alpha 1, batch 4, shuffled, 5 epochs" in stdout
    losses = [entry["loss"] for entry in json.loads((run_dir / "loss.json").read_text())]
    assert len(losses) == 5 and losses[4] < losses[0]
    # Five epochs of the recipe already score far above chance (measured: 0.9311 with seed 42).
    assert json.loads((run_dir / "metrics.json").read_text())["accuracy"] > 0.85


def test_the_course_recipe_is_the_default_and_a_flag_overrides_one_setting(run_neuralnetwork, tmp_path):
    check_ran(run_neuralnetwork(
        "--epochs", "1", "--batch-size", "4", "--display-update", "0", "--output", tmp_path, "--run-id", "course",
    ))
    arguments = json.loads((tmp_path / "numpy_networks" / "course" / "config.json").read_text())["arguments"]
    assert arguments["recipe"] == "course" and arguments["loss"] == "squared_error"
    assert arguments["batch_size"] == 4 and arguments["shuffle"] is False and arguments["alpha"] == 0.1


def test_weight_decay_a_cosine_schedule_and_an_ensemble_of_two(run_neuralnetwork, tmp_path):
    stdout = check_ran(run_neuralnetwork(
        "--recipe", "softmax", "--epochs", "3", "--display-update", "1", "--weight-decay", "1e-4",
        "--lr-schedule", "cosine", "--ensemble", "2", "--output", tmp_path, "--run-id", "ensemble",
    ))
    run_dir = tmp_path / "numpy_networks" / "ensemble"
    arguments = json.loads((run_dir / "config.json").read_text())["arguments"]
    assert arguments["weight_decay"] == 1e-4 and arguments["lr_schedule"] == "cosine" and arguments["ensemble"] == 2
    assert "(seed 42)" in stdout and "(seed 1042)" in stdout
    assert "alpha 1 (cosine schedule), batch 4, shuffled, weight decay 0.0001, 3 epochs" in stdout
    assert "the mean output of an ensemble of 2 networks" in stdout
    # Each network's loss at every epoch; the cosine's alpha falls from 1 over the 3 epochs.
    entries = json.loads((run_dir / "loss.json").read_text())
    assert [(entry["seed"], entry["epoch"]) for entry in entries] == [(seed, epoch) for seed in (42, 1042)
                                                                      for epoch in (1, 2, 3)]
    assert "epoch=1, alpha=1.0000," in stdout and "epoch=3, alpha=0.2500," in stdout
    assert json.loads((run_dir / "metrics.json").read_text())["accuracy"] > 0.85


def test_the_softmax_ensemble_recipe_averages_ten_networks_with_weight_decay(run_neuralnetwork, tmp_path):
    stdout = check_ran(run_neuralnetwork(
        "--recipe", "softmax-ensemble", "--epochs", "2", "--display-update", "0", "--output", tmp_path,
        "--run-id", "softmax-ensemble",
    ))
    run_dir = tmp_path / "numpy_networks" / "softmax-ensemble"
    arguments = json.loads((run_dir / "config.json").read_text())["arguments"]
    assert arguments["loss"] == "cross_entropy" and arguments["batch_size"] == 4 and arguments["shuffle"] is True
    assert arguments["weight_decay"] == 3e-5 and arguments["lr_schedule"] == "constant" and arguments["ensemble"] == 10
    assert [f"(seed {42 + 1000 * member})" in stdout for member in range(10)] == [True] * 10
    assert "(seed 10042)" not in stdout
    assert "batch 4, shuffled, weight decay 3e-05, 2 epochs" in stdout
    assert "the mean output of an ensemble of 10 networks" in stdout
    assert json.loads((run_dir / "metrics.json").read_text())["accuracy"] > 0.85


def test_neuralnetwork_learns_xor(run_neuralnetwork, tmp_path):
    # Seed 1 leaves XOR's plateau (loss near 0.127, one input wrong) within 2000 epochs; the
    # default seed 42 needs about 15000 of the course's 20000 (tests/test_neuralnetwork.py).
    stdout = check_ran(run_neuralnetwork(
        "--problem", "xor", "--seed", "1", "--epochs", "2500", "--display-update", "0",
        "--output", tmp_path, "--run-id", "xor",
    ))
    predictions = [line for line in stdout.splitlines() if line.startswith("[INFO] data=")]
    assert len(predictions) == 4
    metrics = json.loads((tmp_path / "numpy_networks" / "xor" / "metrics.json").read_text())
    assert metrics["accuracy"] == 1.0 and metrics["scored_on"] == "the four training inputs"


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--alpha", "-1"], "Received: --alpha=-1.0"),
        (["--run-id", "taken"], "exists already; choose another --run-id"),
        (["--problem", "xor", "--recipe", "softmax"], "Received: --problem xor --recipe softmax"),
        (["--batch-size", "0"], "Received: --batch-size=0"),
        (["--weight-decay", "-1"], "Received: --weight-decay=-1.0"),
        (["--ensemble", "0"], "Received: --ensemble=0"),
    ],
)
def test_neuralnetwork_refuses_bad_flags(run_neuralnetwork, tmp_path, arguments, message):
    # cli.run returns 2 only for a user error: a bug would raise here, with its traceback.
    (tmp_path / "numpy_networks" / "taken").mkdir(parents=True)
    code, stdout, stderr = run_neuralnetwork("--output", tmp_path, *arguments)
    assert code == 2 and stderr.startswith("error: ") and message in stderr
    assert [path.name for path in (tmp_path / "numpy_networks").iterdir()] == ["taken"]
