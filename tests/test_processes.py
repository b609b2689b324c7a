"""Only process 0 writes (pyimagesearch/utils/processes.py): what the other processes of a run
do instead of each write, folder, deletion and move."""

import argparse

import pytest

from pyimagesearch.callbacks.epochcheckpoint import EpochCheckpoint
from pyimagesearch.training import reports, runs
from pyimagesearch.utils import atomic, errors, processes


@pytest.fixture
def second_of_two(monkeypatch):
    monkeypatch.setattr(processes, "_STATE", dict(processes._STATE))
    processes.set_processes(1, 2)


def test_one_process_is_process_0_of_1_and_writes():
    assert (processes.process_id(), processes.num_processes(), processes.is_writer()) == (0, 1, True)


@pytest.mark.parametrize(("process_id", "count"), [(2, 2), (-1, 2), (0, 0), (True, 2)])
def test_set_processes_validates(monkeypatch, process_id, count):
    monkeypatch.setattr(processes, "_STATE", dict(processes._STATE))
    with pytest.raises(ValueError, match="Received"):
        processes.set_processes(process_id, count)


def test_another_process_writes_into_a_folder_that_is_then_deleted(second_of_two, tmp_path):
    final = tmp_path / "run" / "history.json"
    with atomic.atomic_output_path(final) as temporary:
        assert tmp_path not in temporary.parents
        temporary.write_text("written, then discarded")
        scratch = temporary.parent
    assert not scratch.exists()
    atomic.write_json_atomic(final, {"loss": [1.0]})
    assert not (tmp_path / "run").exists()


def test_another_process_deletes_nothing(second_of_two, tmp_path):
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    stale = folder / ".epoch_1.partial-999999999-abcd.keras"
    stale.write_bytes(b"a partial file of a process on another machine")
    (folder / "epoch_1.keras").write_bytes(b"one")
    (folder / "epoch_2.keras").write_bytes(b"two")
    atomic.remove_stale_partials_in(folder)
    checkpoint = EpochCheckpoint(folder, every=1, keep=1)
    checkpoint._remove_stale(2)
    assert sorted(path.name for path in folder.iterdir()) == [stale.name, "epoch_1.keras", "epoch_2.keras"]


def test_another_process_makes_no_run_folder_and_needs_a_run_id(second_of_two, tmp_path):
    with pytest.raises(errors.InvalidArgumentError, match="same --run-id NAME on every process"):
        runs.create_run_folder("experiment", tmp_path)
    run_dir = runs.create_run_folder("experiment", tmp_path, run_id="shared")
    assert run_dir == tmp_path / "experiment" / "shared" and not run_dir.exists()
    # config.json is written (and discarded) before process 0 may have made the folder.
    runs.write_run_config(run_dir, argparse.Namespace(epochs=2), seed=1)
    reports.write_classification_report(run_dir, [0, 1], [0, 1], ["a", "b"])
    assert not (tmp_path / "experiment").exists()


def test_another_process_moves_nothing_aside_on_a_restart(second_of_two, tmp_path):
    (tmp_path / runs.CHECKPOINT_FOLDER).mkdir()
    later = tmp_path / runs.CHECKPOINT_FOLDER / "epoch_4.keras"
    later.write_bytes(b"a later checkpoint")
    runs.set_aside_after(tmp_path, 2)
    assert later.is_file() and not (tmp_path / runs.REPLACED_FOLDER).exists()


def test_the_distribution_is_recorded_for_config_json(monkeypatch, tmp_path):
    monkeypatch.setattr(processes, "_STATE", dict(processes._STATE))
    processes.record_distribution({"backend": "jax", "processes": 2, "devices": 4})
    config = runs.write_run_config(tmp_path, {"epochs": 1})
    assert config["distribution"] == {"backend": "jax", "processes": 2, "devices": 4}
