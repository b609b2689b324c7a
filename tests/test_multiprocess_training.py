"""One run on two processes (JAX backend, 127.0.0.1): the flagship trains as one model, only
process 0 writes, evaluate.py reproduces it; a process that dies stops the other, and the
same command on both resumes the run."""

import json
import os
import socket
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest

from pyimagesearch.utils import strategy
from tests import scripts

pytest.importorskip("jax")

TRAIN = scripts.EXPERIMENTS / "minivgg_flowers17" / "train.py"
HEARTBEAT_SECONDS = 10
# A dead peer is noticed within the heartbeat timeout; the rest is the abort and its stack dump.
STOP_WITHIN_SECONDS = HEARTBEAT_SECONDS + 20
COMMON = ["--epochs", "2", "--image-size", "16", "--batch-size", "4", "--checkpoint-every", "1", "--seed", "3"]
FINGERPRINT = "weights fingerprint "


def jax_environment(devices_per_process=None):
    environment = dict(os.environ, KERAS_BACKEND="jax", **{strategy.HEARTBEAT_TIMEOUT_VARIABLE: str(HEARTBEAT_SECONDS)})
    environment.pop(strategy.CPU_REPLICAS_VARIABLE, None)
    if devices_per_process:
        environment[strategy.CPU_REPLICAS_VARIABLE] = str(devices_per_process)
    return environment


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_processes(arguments_of, log_dir, count=2):
    """Starts train.py as processes 0..count-1 of one run; `arguments_of(i)` is process i's arguments."""
    coordinator = f"127.0.0.1:{free_port()}"
    started = []
    for index in range(count):
        log = open(log_dir / f"process-{index}-{time.monotonic_ns()}.log", "w+", encoding="utf-8")
        flags = ["--coordinator", coordinator, "--num-processes", str(count), "--process-id", str(index)]
        started.append((subprocess.Popen(
            [sys.executable, str(TRAIN), *map(str, arguments_of(index)), *flags],
            cwd=scripts.REPOSITORY, env=jax_environment(), stdout=log, stderr=subprocess.STDOUT, text=True,
        ), log))
    return started


def finish(started, timeout=300):
    """Waits for every process; returns [(exit code, output)]."""
    results = []
    for process, log in started:
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        log.seek(0)
        results.append((code, log.read()))
        log.close()
    return results


def fingerprint(output):
    lines = [line for line in output.splitlines() if FINGERPRINT in line]
    assert len(lines) == 1, output[-3000:]
    return lines[0].split(FINGERPRINT)[1].split()[0]


def check_all_succeeded(results):
    for index, (code, output) in enumerate(results):
        assert code == 0, f"process {index} exited {code}:\n{output[-4000:]}"


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    """3 classes of 12 colour images with a colour cue: 27 train and 9 held-out images."""
    root = tmp_path_factory.mktemp("multiprocess") / "images"
    random = np.random.default_rng(7)
    for class_index in range(3):
        folder = root / f"class_{class_index}"
        folder.mkdir(parents=True)
        for number in range(12):
            image = random.integers(0, 70, (24, 24, 3), dtype=np.uint8)
            image[..., class_index] += 150
            cv2.imwrite(str(folder / f"{number}.png"), image)
    return root


# The tests that use `two_process_run` go to one pytest-xdist worker (pytest.ini: --dist loadgroup),
# so the module-scoped run is made once, not once in each worker.
SHARES_TWO_PROCESS_RUN = pytest.mark.xdist_group("test_multiprocess_training.two_process_run")


@pytest.fixture(scope="module")
def two_process_run(image_folder, tmp_path_factory):
    """Process 0 writes under output/; process 1 is given another --output, which must stay absent:
    a new run reads nothing from its folder, so process 1 writing anything would show there."""
    root = tmp_path_factory.mktemp("two-processes")
    outputs = [root / "output", root / "process-1-output"]
    started = start_processes(
        lambda index: ["--dataset", image_folder, "--output", outputs[index], "--run-id", "two", *COMMON], root
    )
    results = finish(started)
    check_all_succeeded(results)
    return root / "output" / "minivgg_flowers17" / "two", outputs[1], results


@SHARES_TWO_PROCESS_RUN
def test_two_processes_end_with_the_same_weights_as_the_model_process_0_saved(two_process_run):
    import keras

    from pyimagesearch.training import runs

    run_dir, _, results = two_process_run
    prints = [fingerprint(output) for _, output in results]
    assert prints[0] == prints[1]
    saved = runs.load_model(run_dir / "model.keras")
    assert strategy.weights_fingerprint(saved) == prints[0]
    keras.backend.clear_session(free_memory=False)


@SHARES_TWO_PROCESS_RUN
def test_only_process_0_writes_and_config_records_the_processes(two_process_run):
    run_dir, other_output, results = two_process_run
    assert not other_output.exists()
    for name in ("config.json", "split.json", "history.json", "training.png", "model.keras", "best.keras",
                 "checkpoints/epoch_1.keras", "checkpoints/epoch_2.keras", "metrics.json", "classification_report.txt"):
        assert (run_dir / name).is_file(), name
    assert not list(run_dir.rglob(".*partial*"))
    config = json.loads((run_dir / "config.json").read_text())
    assert config["distribution"]["backend"] == "jax"
    assert config["distribution"]["processes"] == 2 and config["distribution"]["devices"] == 2
    assert config["replicas"] == 2
    assert not {"coordinator", "num_processes", "process_id"} & set(config["arguments"])
    assert "global batch 8" in results[0][1] and "global batch 8" in results[1][1]


@SHARES_TWO_PROCESS_RUN
def test_evaluate_reproduces_the_accuracy_the_two_processes_recorded(two_process_run):
    run_dir, _, _ = two_process_run
    result = scripts.run_experiment_script(
        "minivgg_flowers17", "evaluate.py", ["--run", run_dir], environment={"KERAS_BACKEND": "jax"}
    )
    scripts.check_succeeded(result)
    recorded = json.loads((run_dir / "metrics.json").read_text())
    rebuilt = json.loads((run_dir / "evaluation" / "metrics.json").read_text())
    assert rebuilt["samples"] == recorded["samples"] == 9
    assert rebuilt["accuracy"] == pytest.approx(recorded["accuracy"])


@SHARES_TWO_PROCESS_RUN
def test_one_process_on_two_devices_has_the_same_epoch_losses(two_process_run, image_folder, tmp_path):
    """Same global batches (2 devices either way): only the order of the sums differs."""
    run_dir, _, _ = two_process_run
    result = subprocess.run(
        [sys.executable, str(TRAIN), "--dataset", str(image_folder), "--output", str(tmp_path), "--run-id", "one",
         *COMMON],
        cwd=scripts.REPOSITORY, env=jax_environment(devices_per_process=2), capture_output=True, text=True,
        timeout=300,
    )
    scripts.check_succeeded(result)
    one = json.loads((tmp_path / "minivgg_flowers17" / "one" / "history.json").read_text())
    two = json.loads((run_dir / "history.json").read_text())
    assert len(one["loss"]) == len(two["loss"]) == 2
    np.testing.assert_allclose(one["loss"], two["loss"], rtol=1e-4)
    np.testing.assert_allclose(one["val_loss"], two["val_loss"], rtol=1e-4)


def test_a_dead_process_stops_the_other_and_the_same_command_resumes_the_run(image_folder, tmp_path):
    # Killed after epoch 2, process 0 can't finish the epoch after (its steps need both processes).
    epochs = 4
    run_dir = tmp_path / "output" / "minivgg_flowers17" / "killed"
    new_run = ["--dataset", image_folder, "--output", tmp_path / "output", "--run-id", "killed",
               "--image-size", "16", "--batch-size", "4", "--checkpoint-every", "1", "--epochs", epochs]
    started = start_processes(lambda index: new_run, tmp_path)
    (writer, _), (victim, _) = started
    deadline = time.monotonic() + 240
    while not (run_dir / "checkpoints" / "epoch_2.keras").exists():
        assert writer.poll() is None and time.monotonic() < deadline, "the run never reached epoch 2"
        time.sleep(0.05)
    victim.kill()
    killed_at = time.monotonic()
    code = writer.wait(timeout=STOP_WITHIN_SECONDS + 60)
    stopped_after = time.monotonic() - killed_at
    (writer_code, writer_output), _ = finish(started)
    assert writer_code != 0, writer_output[-3000:]
    assert stopped_after < STOP_WITHIN_SECONDS, f"process 0 took {stopped_after:.1f} s to stop"
    history = json.loads((run_dir / "history.json").read_text())
    assert 2 <= len(history["loss"]) < epochs
    assert code == writer_code

    resumed = finish(start_processes(lambda index: ["--resume", run_dir], tmp_path))
    check_all_succeeded(resumed)
    assert "resuming from" in resumed[0][1] and "resuming from" in resumed[1][1]
    assert fingerprint(resumed[0][1]) == fingerprint(resumed[1][1])
    history = json.loads((run_dir / "history.json").read_text())
    assert len(history["loss"]) == epochs
    assert (run_dir / "model.keras").is_file() and (run_dir / "metrics.json").is_file()
