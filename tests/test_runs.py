"""Run folders and config.json."""

import argparse
import datetime
import json
import os
import pathlib
import re
import subprocess

import keras
import numpy as np
import pytest

import pyimagesearch
from pyimagesearch.training import runs
from pyimagesearch.utils import atomic, errors


def test_create_run_folder_names_by_utc_time_and_never_reuses(tmp_path):
    first = runs.create_run_folder("shallownet", output_root=tmp_path)
    assert first.parent == tmp_path / "shallownet"
    assert first.is_dir()
    assert re.fullmatch(r"\d{8}-\d{6}(-\d+)?", first.name)
    moment = datetime.datetime.strptime(first.name[:15], runs.RUN_ID_FORMAT).replace(tzinfo=datetime.timezone.utc)
    assert abs((datetime.datetime.now(datetime.timezone.utc) - moment).total_seconds()) < 60
    created = {runs.create_run_folder("shallownet", output_root=tmp_path) for _ in range(3)}
    assert len(created | {first}) == 4


def test_explicit_existing_run_id_is_returned_for_resuming(tmp_path):
    run_dir = runs.create_run_folder("shallownet", output_root=tmp_path, run_id="baseline")
    (run_dir / "history.json").write_text("{}")
    assert runs.create_run_folder("shallownet", output_root=tmp_path, run_id="baseline") == run_dir
    assert (run_dir / "history.json").exists()


@pytest.mark.parametrize(
    ("name", "value"), [("experiment", ""), ("experiment", "a/b"), ("run_id", ".."), ("run_id", 7)]
)
def test_create_run_folder_rejects_bad_names(tmp_path, name, value):
    arguments = {"experiment": "shallownet", "output_root": tmp_path, name: value}
    with pytest.raises(ValueError, match=f"Received: {name}="):
        runs.create_run_folder(**arguments)


def test_write_run_config_records_how_the_run_was_made(tmp_path):
    run_dir = runs.create_run_folder("minivggnet", output_root=tmp_path)
    arguments = argparse.Namespace(dataset=pathlib.Path("datasets/flowers17"), epochs=3, sizes=(32, 32))
    written = runs.write_run_config(run_dir, arguments, seed=42, extra={"replicas": 2, "note": "test"})
    config = runs.read_run_config(run_dir)
    assert config == written
    assert config["arguments"] == {"dataset": "datasets/flowers17", "epochs": 3, "sizes": [32, 32]}
    assert config["seed"] == 42
    assert config["replicas"] == 2
    assert config["extra"] == {"replicas": 2, "note": "test"}
    assert config["cpu_count"] == os.cpu_count()
    assert set(config["versions"]) == {
        "python", "tensorflow", "keras", "numpy", "h5py", "opencv", "scikit-learn", "pyimagesearch"
    }
    assert config["versions"]["pyimagesearch"] == pyimagesearch.__version__
    assert config["versions"]["keras"].startswith("3.")
    created = datetime.datetime.fromisoformat(config["created_utc"])
    assert created.utcoffset() == datetime.timedelta(0)
    assert json.loads((run_dir / "config.json").read_text()) == config
    assert sorted(path.name for path in run_dir.iterdir()) == ["config.json"]


def test_git_commit_of_the_checkout():
    source_dir = pathlib.Path(pyimagesearch.__file__).resolve().parent
    try:
        expected = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=source_dir, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("the package is not a git checkout here")
    state = runs.git_state()
    assert state["commit"] == expected
    assert isinstance(state["dirty"], bool)


def test_git_missing_gives_none(monkeypatch):
    monkeypatch.setenv("PATH", "")
    assert runs.git_state() == {"commit": None, "dirty": None}


def test_write_run_config_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="Received: arguments=list"):
        runs.write_run_config(tmp_path, ["--epochs", "3"])
    with pytest.raises(ValueError, match="Received: run_dir="):
        runs.write_run_config(tmp_path / "missing", {})


def test_read_run_config_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="config.json"):
        runs.read_run_config(tmp_path)
    (tmp_path / "config.json").write_text("{broken")
    with pytest.raises(ValueError, match=re.escape(str(tmp_path / "config.json"))):
        runs.read_run_config(tmp_path)


def test_latest_run_by_name_then_mtime(tmp_path):
    for name in ("20261121-183000", "20261121-183000-2", "20261121-183000-10", "20261122-090000"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text("{}")
    (tmp_path / "20261123-000000").mkdir()  # no config.json: a run that never started
    assert runs.latest_run(tmp_path) == tmp_path / "20261122-090000"
    (tmp_path / "20261122-090000" / "config.json").unlink()
    assert runs.latest_run(tmp_path) == tmp_path / "20261121-183000-10"


def test_latest_run_without_runs_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="No run folder.*Received: experiment_dir="):
        runs.latest_run(tmp_path)
    with pytest.raises(ValueError, match="Received: experiment_dir="):
        runs.latest_run(tmp_path / "missing")


# ----------------------------------------------------------------------------- opening runs


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


def test_load_model_refuses_a_model_file_that_names_os_system(tmp_path):
    import json
    import zipfile

    path = tmp_path / "model.keras"
    atomic.save_model(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]), path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    config.update(module="os", class_name="system", registered_name=None)
    members["config.json"] = json.dumps(config).encode()
    tampered = tmp_path / "tampered.keras"
    with zipfile.ZipFile(tampered, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)

    assert runs.load_model(path).output_shape == (None, 2)
    with pytest.raises(errors.InvalidFileError, match=r"Cannot load the Keras model .*tampered.keras: .*system"):
        runs.load_model(tampered)
    with pytest.raises(errors.UserError, match="No model at"):
        runs.load_model(tmp_path / "missing.keras")
