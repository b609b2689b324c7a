"""End to end: the batch-size study on a few digits, both setups and the capacity check, and its records."""

import json
import math

import pytest

from pyimagesearch.utils import strategy
from tests import inprocessscripts, scripts

REPLICAS = 2
TRAIN_IMAGES = 96  # even, so with 2 replicas no epoch leaves a row out (see make_array_dataset)
EPOCHS = 3


def run_study(*arguments):
    return scripts.run_experiment_script(
        "batch_size_study", "train.py", arguments, environment={strategy.CPU_REPLICAS_VARIABLE: str(REPLICAS)}
    )


# The tests that use `study_run` go to one pytest-xdist worker (pytest.ini: --dist loadgroup),
# so the module-scoped run is made once, not once in each worker.
SHARES_STUDY_RUN = pytest.mark.xdist_group("test_batch_size_study.study_run")


@pytest.fixture(scope="module")
def study_run(tmp_path_factory):
    output = tmp_path_factory.mktemp("output")
    result = run_study(
        "--dataset", "digits", "--train-images", TRAIN_IMAGES, "--test-images", 40, "--epochs", EPOCHS,
        "--batch-size", 4, "--learning-rate", 0.05, "--decay", 0.5, "--growth", 1.5, "--max-batch-fraction", 0.2,
        "--capacity-images", 16, "--capacity-epochs", 1, "--output", output, "--run-id", "tiny",
    )
    scripts.check_succeeded(result)
    return output / "batch_size_study" / "tiny", result


def records(run_dir, setup):
    return json.loads((run_dir / setup / "records.json").read_text())


@SHARES_STUDY_RUN
def test_updates_grow_by_the_batches_of_each_epoch(study_run):
    run_dir, _ = study_run
    for setup in ("lrd", "ibs"):
        epochs = records(run_dir, setup)["epochs"]
        assert [epoch["epoch"] for epoch in epochs] == list(range(1, EPOCHS + 1))
        previous = 0
        for epoch in epochs:
            assert epoch["steps_in_epoch"] == math.ceil(TRAIN_IMAGES / epoch["batch_size"])
            assert epoch["steps"] == previous + epoch["steps_in_epoch"]
            previous = epoch["steps"]
        history = json.loads((run_dir / setup / "history.json").read_text())
        assert history["loss"] == pytest.approx([epoch["loss"] for epoch in epochs])
        assert all(0.0 <= epoch["test_accuracy"] <= 1.0 for epoch in epochs)


@SHARES_STUDY_RUN
def test_ibs_grows_the_batch_at_a_fixed_rate_up_to_its_cap(study_run):
    run_dir, _ = study_run
    ibs = records(run_dir, "ibs")
    # 4 * 1.5**k per replica, rounded half up (4, 6, 9), on 2 replicas.
    assert [epoch["batch_size"] for epoch in ibs["epochs"]] == [8, 12, 18]
    assert [epoch["learning_rate"] for epoch in ibs["epochs"]] == pytest.approx([0.05] * EPOCHS)  # float32
    assert ibs["batch_size_per_replica"] == "4 * 1.5**epoch, rounded half up, at most 9"  # 0.2 * 96 // 2


@SHARES_STUDY_RUN
def test_lrd_decays_the_rate_at_a_fixed_batch(study_run):
    run_dir, _ = study_run
    lrd = records(run_dir, "lrd")
    assert [epoch["learning_rate"] for epoch in lrd["epochs"]] == pytest.approx([0.05, 0.025, 0.0125])
    assert {epoch["batch_size"] for epoch in lrd["epochs"]} == {8}
    history = json.loads((run_dir / "lrd" / "history.json").read_text())
    assert history["learning_rate"] == pytest.approx([0.05, 0.025, 0.0125])  # what the optimizer used


@SHARES_STUDY_RUN
def test_both_setups_start_from_the_same_weights_and_first_epoch(study_run):
    run_dir, _ = study_run
    lrd, ibs = records(run_dir, "lrd"), records(run_dir, "ibs")
    assert lrd["initial_weights_sha256"] == ibs["initial_weights_sha256"]
    # Epoch 1 has the same batch, rate and order in both, so the same loss.
    assert lrd["epochs"][0]["loss"] == pytest.approx(ibs["epochs"][0]["loss"], rel=1e-5)


@SHARES_STUDY_RUN
def test_the_run_folder_holds_configs_the_plot_and_a_summary(study_run):
    run_dir, result = study_run
    assert (run_dir / "study.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    config = json.loads((run_dir / "config.json").read_text())
    assert config["replicas"] == REPLICAS and config["extra"]["train_images"] == TRAIN_IMAGES
    for setup in ("capacity", "lrd", "ibs"):
        setup_config = json.loads((run_dir / setup / "config.json").read_text())
        assert setup_config["arguments"]["setup"] == setup
    for setup in ("lrd", "ibs"):
        assert (run_dir / setup / "model.keras").is_file()
    capacity = records(run_dir, "capacity")
    assert capacity["images"] == 16 and len(capacity["epochs"]) == 1
    summary = json.loads((run_dir / "summary.json").read_text())
    lowest = {setup: min(epoch["loss"] for epoch in records(run_dir, setup)["epochs"]) for setup in ("lrd", "ibs")}
    assert summary["target_loss"] == pytest.approx(max(lowest.values()))
    for setup in ("lrd", "ibs"):
        assert summary["setups"][setup]["steps_to_target"] is not None
        assert summary["setups"][setup]["final_test_accuracy"] == records(run_dir, setup)["epochs"][-1]["test_accuracy"]
    assert f"training loss compared: {summary['target_loss']:.4f}" in result.stdout


def test_a_cap_below_the_first_batch_is_refused_before_a_run_folder(tmp_path):
    # In the test process (its 2 replicas, as REPLICAS): refused before anything is seeded or
    # built, the call changes nothing process-wide, and a new process would import TensorFlow.
    result = inprocessscripts.run_experiment_script(
        "batch_size_study", "train.py", ["--dataset", "digits", "--train-images", 100, "--batch-size", 8,
                                         "--output", tmp_path],
    )
    assert result.returncode == 2, result.stderr[-3000:]
    assert "below the first batch" in result.stderr and "Received: --batch-size 8" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "batch_size_study").exists()


def test_a_diverged_setup_is_recorded_and_the_study_goes_on(tmp_path):
    result = run_study(
        "--dataset", "digits", "--train-images", 16, "--test-images", 4, "--epochs", 1, "--batch-size", 2,
        "--max-batch-fraction", 0.5, "--learning-rate", 1e6, "--capacity-epochs", 0, "--output", tmp_path,
        "--run-id", "diverged",
    )
    scripts.check_succeeded(result)
    run_dir = tmp_path / "batch_size_study" / "diverged"
    summary = json.loads((run_dir / "summary.json").read_text())
    for setup in ("lrd", "ibs"):
        diverged = records(run_dir, setup)["diverged"]
        assert diverged["epoch"] == 1 and "The training loss became" in diverged["message"]
        assert summary["setups"][setup]["diverged"] == diverged
        assert not (run_dir / setup / "model.keras").exists()  # nothing diverged is saved
    assert not (run_dir / "capacity").exists()
    assert (run_dir / "study.png").is_file()
    assert "lrd diverged" in result.stdout and "DIVERGED in epoch 1" in result.stdout
