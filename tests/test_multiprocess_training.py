"""One run on two processes (JAX backend, 127.0.0.1): the flagship trains as one model, only
process 0 writes, evaluate.py reproduces it; a process that dies stops the other, and the
same command on both resumes the run.

One run makes all of these checks, to start as few processes as possible (each imports
TensorFlow and JAX): the two processes start a 4-epoch run, process 1 is killed after epoch 2,
and the same command on both resumes it to the end. Each process runs in a working directory of
its own, as on two machines, with the same relative --output: process 1 must make nothing in
its own. For the resume it gets a copy of process 0's run folder, which must come out unchanged,
so that whatever it would write at the end of a run (model, metrics, report) shows too."""

import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import types

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
EPOCHS = 4
COMMON = ["--image-size", "16", "--batch-size", "4", "--checkpoint-every", "1", "--seed", "3"]
RUN = pathlib.Path("output") / "minivgg_flowers17" / "killed"  # relative to each process's directory
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


def start_processes(arguments, directories, log_dir):
    """Starts train.py with the same `arguments` as processes 0, 1, ... of one run, process i in
    `directories[i]`."""
    coordinator = f"127.0.0.1:{free_port()}"
    started = []
    for index, directory in enumerate(directories):
        log = open(log_dir / f"process-{index}-{time.monotonic_ns()}.log", "w+", encoding="utf-8")
        flags = ["--coordinator", coordinator, "--num-processes", str(len(directories)), "--process-id", str(index)]
        started.append((subprocess.Popen(
            [sys.executable, str(TRAIN), *map(str, arguments), *flags],
            cwd=directory, env=jax_environment(), stdout=log, stderr=subprocess.STDOUT, text=True,
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


def files_of(folder):
    """{relative path: (size, modification time)} of every file under `folder`."""
    return {str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in folder.rglob("*") if path.is_file()}


def kill_the_second_after_epoch_2(started, run_dir):
    """Kills process 1 once process 0 has saved epoch 2; returns process 0's exit code and the
    seconds it took to stop after that."""
    (writer, _), (victim, _) = started
    deadline = time.monotonic() + 240
    while not (run_dir / "checkpoints" / "epoch_2.keras").exists():
        assert writer.poll() is None and time.monotonic() < deadline, "the run never reached epoch 2"
        time.sleep(0.05)
    victim.kill()
    killed_at = time.monotonic()
    code = writer.wait(timeout=STOP_WITHIN_SECONDS + 60)
    return code, time.monotonic() - killed_at


# Every test uses `killed_and_resumed_run`: one pytest-xdist worker (pytest.ini: --dist loadgroup)
# makes the module-scoped run once, not once in each worker.
pytestmark = pytest.mark.xdist_group("test_multiprocess_training.killed_and_resumed_run")


@pytest.fixture(scope="module")
def killed_and_resumed_run(image_folder, tmp_path_factory):
    root = tmp_path_factory.mktemp("two-processes")
    directories = [root / "process-0", root / "process-1"]
    for directory in directories:
        directory.mkdir()
    run_dir, copy_dir = (directory / RUN for directory in directories)

    new_run = ["--dataset", image_folder, "--output", "output", "--run-id", "killed", "--epochs", EPOCHS, *COMMON]
    started = start_processes(new_run, directories, root)
    code, stopped_after = kill_the_second_after_epoch_2(started, run_dir)
    killed = finish(started)
    nothing_of_process_1 = not (directories[1] / "output").exists()
    history_at_the_kill = json.loads((run_dir / "history.json").read_text())

    shutil.copytree(run_dir, copy_dir)
    copied_files = files_of(copy_dir)
    resumed = finish(start_processes(["--resume", RUN], directories, root))
    check_all_succeeded(resumed)
    return types.SimpleNamespace(
        run_dir=run_dir, killed=killed, writer_code_seen=code, stopped_after=stopped_after,
        nothing_of_process_1=nothing_of_process_1, history_at_the_kill=history_at_the_kill,
        copy_dir=copy_dir, copied_files=copied_files, resumed=resumed,
    )


def test_a_dead_process_stops_the_other_within_the_heartbeat_timeout(killed_and_resumed_run):
    run = killed_and_resumed_run
    (writer_code, writer_output), _ = run.killed
    assert writer_code != 0, writer_output[-3000:]
    assert run.writer_code_seen == writer_code
    assert run.stopped_after < STOP_WITHIN_SECONDS, f"process 0 took {run.stopped_after:.1f} s to stop"
    # Killed after epoch 2, process 0 can't finish the epoch after (its steps need both processes).
    assert 2 <= len(run.history_at_the_kill["loss"]) < EPOCHS


def test_the_same_command_on_both_resumes_the_run_to_its_end(killed_and_resumed_run):
    run = killed_and_resumed_run
    assert all("resuming from" in output for _, output in run.resumed)
    history = json.loads((run.run_dir / "history.json").read_text())
    assert len(history["loss"]) == len(history["val_loss"]) == EPOCHS
    assert history["loss"][:2] == run.history_at_the_kill["loss"][:2]  # the epochs before the kill kept


def test_two_processes_end_with_the_same_weights_as_the_model_process_0_saved(killed_and_resumed_run):
    import keras

    from pyimagesearch.training import runs

    prints = [fingerprint(output) for _, output in killed_and_resumed_run.resumed]
    assert prints[0] == prints[1]
    saved = runs.load_model(killed_and_resumed_run.run_dir / "model.keras")
    assert strategy.weights_fingerprint(saved) == prints[0]
    keras.backend.clear_session(free_memory=False)


def test_only_process_0_writes_and_config_records_the_processes(killed_and_resumed_run):
    run = killed_and_resumed_run
    assert run.nothing_of_process_1  # while training the first epochs
    assert files_of(run.copy_dir) == run.copied_files  # while resuming and finishing the run
    checkpoints = [f"checkpoints/epoch_{epoch}.keras" for epoch in range(1, EPOCHS + 1)]
    for name in ("config.json", "split.json", "history.json", "training.png", "model.keras", "best.keras",
                 *checkpoints, "metrics.json", "classification_report.txt"):
        assert (run.run_dir / name).is_file(), name
    assert not list(run.run_dir.rglob(".*partial*"))
    config = json.loads((run.run_dir / "config.json").read_text())
    assert config["distribution"]["backend"] == "jax"
    assert config["distribution"]["processes"] == 2 and config["distribution"]["devices"] == 2
    assert config["replicas"] == 2
    assert not {"coordinator", "num_processes", "process_id"} & set(config["arguments"])
    for _, output in run.killed + run.resumed:
        assert "global batch 8" in output


def test_evaluate_reproduces_the_accuracy_the_two_processes_recorded(killed_and_resumed_run):
    run_dir = killed_and_resumed_run.run_dir
    result = scripts.run_experiment_script(
        "minivgg_flowers17", "evaluate.py", ["--run", run_dir], environment={"KERAS_BACKEND": "jax"}
    )
    scripts.check_succeeded(result)
    recorded = json.loads((run_dir / "metrics.json").read_text())
    rebuilt = json.loads((run_dir / "evaluation" / "metrics.json").read_text())
    assert rebuilt["samples"] == recorded["samples"] == 9
    assert rebuilt["accuracy"] == pytest.approx(recorded["accuracy"])


def test_one_process_on_two_devices_has_the_same_epoch_losses(killed_and_resumed_run, image_folder, tmp_path):
    """Same global batches (2 devices either way): only the order of the sums differs. All the
    epochs, so the two processes' resumed epochs must also continue the run exactly."""
    result = subprocess.run(
        [sys.executable, str(TRAIN), "--dataset", str(image_folder), "--output", str(tmp_path), "--run-id", "one",
         "--epochs", str(EPOCHS), *COMMON],
        cwd=scripts.REPOSITORY, env=jax_environment(devices_per_process=2), capture_output=True, text=True,
        timeout=300,
    )
    scripts.check_succeeded(result)
    one = json.loads((tmp_path / "minivgg_flowers17" / "one" / "history.json").read_text())
    two = json.loads((killed_and_resumed_run.run_dir / "history.json").read_text())
    assert len(one["loss"]) == len(two["loss"]) == EPOCHS
    np.testing.assert_allclose(one["loss"], two["loss"], rtol=1e-4)
    np.testing.assert_allclose(one["val_loss"], two["val_loss"], rtol=1e-4)
