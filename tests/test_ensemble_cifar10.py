"""End to end: an ensemble of two MiniVGGNets on a tiny CIFAR-10 folder trains and is evaluated.

train_models.py runs in a process of its own (and each member in one more), as a user runs it;
test_ensemble.py, which only loads and predicts, runs in the test process
(tests/inprocessscripts.py), saving a TensorFlow import."""

import json

import pytest

from pyimagesearch.utils import strategy
from tests import cifar10folders, inprocessscripts, scripts


def run_script(name, *arguments, cwd=None):
    # One replica: the two-replica path of the same plumbing is covered by test_minivgg_cifar10,
    # and tracing each member for two replicas would add about a third to this test's time.
    environment = {strategy.CPU_REPLICAS_VARIABLE: "1"}
    return scripts.run_experiment_script("ensemble_cifar10", name, arguments, cwd=cwd, environment=environment)


def test_two_members_train_in_their_own_folders_and_the_ensemble_averages_them(tmp_path):
    dataset = cifar10folders.write_tiny_cifar10(tmp_path / "cifar10")
    output = tmp_path / "output"
    trained = scripts.check_succeeded(run_script(
        "train_models.py", "--dataset", dataset, "--models", "2", "--epochs", "1", "--batch-size", "4",
        "--output", output, "--run-id", "tiny",
    ))
    experiment_dir = output / "ensemble_cifar10"
    assert sorted(path.name for path in experiment_dir.iterdir()) == ["tiny", "tiny-m0", "tiny-m1"]
    summary = json.loads((experiment_dir / "tiny" / "ensemble.json").read_text())
    assert [member["seed"] for member in summary["members"]] == [42, 43]
    # Each member trained in a process of its own, which needed more than this one, and this
    # one, which built no model, did not grow from member to member.
    first, second = summary["members"]
    assert first["member_peak_memory_bytes"] > first["parent_peak_memory_bytes"]
    assert second["member_peak_memory_bytes"] > second["parent_peak_memory_bytes"]
    assert second["parent_peak_memory_bytes"] <= first["parent_peak_memory_bytes"] + 2**20
    for member in summary["members"]:
        run_dir = experiment_dir / member["run"]
        config = json.loads((run_dir / "config.json").read_text())
        assert config["seed"] == member["seed"] and config["extra"]["ensemble"] == "tiny"
        assert json.loads((run_dir / "metrics.json").read_text())["accuracy"] == member["test_accuracy"]
        assert (run_dir / "model.keras").is_file() and (run_dir / "history.json").is_file()
    assert "peak memory of member 1's process" in trained.stdout
    process_ids = {json.loads((experiment_dir / member["run"] / "config.json").read_text())["extra"]["process_id"]
                   for member in summary["members"]}
    assert len(process_ids) == 2

    evaluated = scripts.check_succeeded(
        inprocessscripts.run_experiment_script(
            "ensemble_cifar10", "test_ensemble.py", ["--output", output], cwd=tmp_path
        )
    )
    metrics = json.loads((experiment_dir / "tiny" / "evaluation" / "metrics.json").read_text())
    assert metrics["samples"] == 16
    assert metrics["member_accuracies"] == pytest.approx(
        {member["run"]: member["test_accuracy"] for member in summary["members"]}
    )
    assert metrics["best_member_accuracy"] == pytest.approx(max(m["test_accuracy"] for m in summary["members"]))
    assert f"ensemble of 2: {metrics['accuracy']:.4f}" in evaluated.stdout
    assert (experiment_dir / "tiny" / "evaluation" / "classification_report.txt").is_file()

    # Resuming: the finished member is skipped; the other, whose folder is now broken, fails in
    # its own process, and the parent says why in one line and keeps the first member's record.
    (experiment_dir / "tiny-m1" / "model.keras").unlink()
    (experiment_dir / "tiny-m1" / "config.json").write_text("{not json")
    resumed = run_script("train_models.py", "--resume", experiment_dir / "tiny")
    assert resumed.returncode == 2 and "Traceback" not in resumed.stderr, resumed.stderr
    assert "tiny-m1/config.json is not valid JSON" in resumed.stderr
    assert "member 0 finished already" in resumed.stdout
    assert json.loads((experiment_dir / "tiny" / "ensemble.json").read_text()) == summary

