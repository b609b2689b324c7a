"""Run plumbing shared by the train and evaluate scripts (pyimagesearch/training/)."""

import argparse

import keras
import numpy as np
import pytest

from pyimagesearch.training import runs
from pyimagesearch.utils import atomic


def _finished_run(output, run_id, units):
    run_dir = runs.create_run_folder("experiment", output, run_id)
    runs.write_run_config(run_dir, {"image_size": 8, "units": units})
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(units)])
    atomic.save_model(model, run_dir / runs.FINAL_MODEL)
    return run_dir


def test_open_finished_run_defaults_to_the_latest_run(tmp_path):
    _finished_run(tmp_path, "run-2", units=2)
    latest = _finished_run(tmp_path, "run-10", units=4)

    run_dir, saved, model = runs.open_finished_run(None, tmp_path, "experiment")

    assert run_dir == latest
    assert saved == {"image_size": 8, "units": 4}
    assert model.predict(np.zeros((1, 3)), verbose=0).shape == (1, 4)


def test_open_finished_run_takes_the_run_it_is_given(tmp_path):
    chosen = _finished_run(tmp_path, "run-2", units=2)
    _finished_run(tmp_path, "run-10", units=4)

    run_dir, saved, _ = runs.open_finished_run(str(chosen), "ignored", "experiment")

    assert run_dir == chosen and saved["units"] == 2


def test_open_finished_run_without_a_model_names_the_file(tmp_path):
    run_dir = runs.create_run_folder("experiment", tmp_path, "unfinished")
    runs.write_run_config(run_dir, {"image_size": 8})

    with pytest.raises(ValueError, match="model.keras"):
        runs.open_finished_run(run_dir, tmp_path, "experiment")


def test_open_finished_run_without_runs_says_train_first(tmp_path):
    with pytest.raises(ValueError, match="Train first"):
        runs.open_finished_run(None, tmp_path, "experiment")


def _arguments(**values):
    defaults = {"resume": None, "output": None, "run_id": None, "epochs": 5, "learning_rate": 0.01}
    return argparse.Namespace(**{**defaults, **values})


def test_open_run_creates_the_folder_after_before_create(tmp_path):
    calls = []

    run_dir = runs.open_run(
        _arguments(output=str(tmp_path), run_id="new"), "experiment",
        before_create=lambda: calls.append((tmp_path / "experiment" / "new").exists()),
    )

    assert run_dir == tmp_path / "experiment" / "new" and run_dir.is_dir()
    assert calls == [False]  # a failing before_create leaves no empty run folder


def test_resumed_run_keeps_its_settings_but_takes_the_new_epoch_count(tmp_path):
    run_dir = runs.create_run_folder("experiment", tmp_path, "old")
    runs.write_run_config(run_dir, vars(_arguments(output=str(tmp_path), run_id="old", learning_rate=0.05)))
    arguments = _arguments(resume=str(run_dir), epochs=9, learning_rate=0.5)

    opened = runs.open_run(arguments, "experiment", before_create=pytest.fail)

    assert opened == run_dir
    assert arguments.learning_rate == 0.05 and arguments.epochs == 9 and arguments.resume == str(run_dir)
