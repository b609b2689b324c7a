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
    defaults = {"resume": None, "output": None, "run_id": None, "epochs": 5, "learning_rate": 0.01,
                "from_epoch": None, "given_flags": []}
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
    # 0.5 is the parser's default here: only the typed --epochs counts.
    arguments = _arguments(resume=str(run_dir), epochs=9, learning_rate=0.5, given_flags=["epochs", "resume"])

    opened = runs.open_run(arguments, "experiment", before_create=pytest.fail)

    assert opened == run_dir
    assert arguments.learning_rate == 0.05 and arguments.epochs == 9 and arguments.resume == str(run_dir)
    assert [segment["learning_rate"] for segment in arguments.learning_rate_segments] == [0.05]


def test_resume_without_epochs_trains_to_the_runs_own_epoch_count(tmp_path):
    run_dir = runs.create_run_folder("experiment", tmp_path, "old")
    runs.write_run_config(run_dir, vars(_arguments(output=str(tmp_path), epochs=30)))
    arguments = _arguments(resume=str(run_dir), epochs=100, given_flags=["resume"])

    runs.open_run(arguments, "experiment")

    assert arguments.epochs == 30


def _run_with_checkpoints(tmp_path, epochs, learning_rate=0.05):
    run_dir = runs.create_run_folder("experiment", tmp_path, "old")
    arguments = _arguments(output=str(tmp_path), learning_rate=learning_rate, epochs=30)
    arguments.learning_rate_segments = [{"from_epoch": 0, "learning_rate": learning_rate, "when": "t0"}]
    runs.write_run_config(run_dir, vars(arguments))
    for epoch in epochs:
        (run_dir / runs.CHECKPOINT_FOLDER).mkdir(exist_ok=True)
        (run_dir / runs.CHECKPOINT_FOLDER / f"epoch_{epoch}.keras").write_bytes(b"model %d" % epoch)
    return run_dir


def test_a_new_learning_rate_with_resume_is_recorded_from_the_resume_epoch(tmp_path):
    run_dir = _run_with_checkpoints(tmp_path, [5, 10])
    arguments = _arguments(resume=str(run_dir), learning_rate=0.005, given_flags=["learning_rate", "resume"])

    runs.open_run(arguments, "experiment")

    assert arguments.learning_rate == 0.005
    assert [(segment["from_epoch"], segment["learning_rate"]) for segment in arguments.learning_rate_segments] == [
        (0, 0.05), (10, 0.005)
    ]


def test_from_epoch_sets_later_checkpoints_and_the_best_model_aside(tmp_path):
    run_dir = _run_with_checkpoints(tmp_path, [10, 20, 30])
    (run_dir / runs.BEST_MODEL).write_bytes(b"best of epoch 27")
    (run_dir / runs.HISTORY_FILE).write_text(json.dumps({"loss": list(range(30))}))
    arguments = _arguments(resume=str(run_dir), from_epoch=20, learning_rate=0.005,
                           given_flags=["from_epoch", "learning_rate", "resume"])

    runs.open_run(arguments, "experiment")

    assert sorted(path.name for path in (run_dir / runs.CHECKPOINT_FOLDER).iterdir()) == [
        "epoch_10.keras", "epoch_20.keras"
    ]
    (replaced,) = (run_dir / runs.REPLACED_FOLDER).iterdir()
    assert replaced.name.endswith("-from-epoch-20")
    assert (replaced / runs.CHECKPOINT_FOLDER / "epoch_30.keras").read_bytes() == b"model 30"
    assert (replaced / runs.BEST_MODEL).read_bytes() == b"best of epoch 27"
    assert json.loads((replaced / runs.HISTORY_FILE).read_text()) == {"loss": list(range(30))}
    assert not (run_dir / runs.BEST_MODEL).exists()
    assert [(segment["from_epoch"], segment["learning_rate"]) for segment in arguments.learning_rate_segments] == [
        (0, 0.05), (20, 0.005)
    ]
    assert runs.resume_point(run_dir, 20) == (run_dir / runs.CHECKPOINT_FOLDER / "epoch_20.keras", 20)


def test_from_epoch_without_that_checkpoint_lists_the_ones_there_are(tmp_path):
    run_dir = _run_with_checkpoints(tmp_path, [5, 10])
    arguments = _arguments(resume=str(run_dir), from_epoch=7, given_flags=["from_epoch", "resume"])

    with pytest.raises(errors.InvalidArgumentError, match=r"no checkpoint of epoch 7 \(epochs with one: 5, 10\)"):
        runs.open_run(arguments, "experiment")
    assert not (run_dir / runs.REPLACED_FOLDER).exists()


def test_a_changed_flag_with_resume_is_refused_by_name(tmp_path):
    run_dir = _run_with_checkpoints(tmp_path, [5])
    runs.write_run_config(run_dir, {**vars(_arguments(output=str(tmp_path))), "seed": 42})
    arguments = _arguments(resume=str(run_dir), seed=7, given_flags=["resume", "seed"])

    with pytest.raises(errors.InvalidArgumentError, match=r"--seed differs from the run being resumed \(42\)"):
        runs.open_run(arguments, "experiment")
    same = _arguments(resume=str(run_dir), seed=42, given_flags=["resume", "seed"])
    assert runs.open_run(same, "experiment") == run_dir


def test_an_existing_run_id_without_resume_is_refused(tmp_path):
    runs.create_run_folder("experiment", tmp_path, "taken")

    with pytest.raises(errors.InvalidArgumentError, match=r"exists already; continue it with --resume"):
        runs.open_run(_arguments(output=str(tmp_path), run_id="taken"), "experiment", before_create=pytest.fail)


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


def _save_checkpoint(path, learning_rate):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=learning_rate), loss="mse")
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)


def test_a_new_learning_rate_on_a_scheduled_run_is_refused_before_anything_changes(tmp_path):
    run_dir = _run_with_checkpoints(tmp_path, [])
    schedule = keras.optimizers.schedules.PolynomialDecay(0.05, decay_steps=100)
    for epoch in (5, 10):
        _save_checkpoint(run_dir / runs.CHECKPOINT_FOLDER / f"epoch_{epoch}.keras", schedule)
    config_before = (run_dir / runs.CONFIG_NAME).read_bytes()
    arguments = _arguments(resume=str(run_dir), from_epoch=5, learning_rate=0.005,
                           given_flags=["from_epoch", "learning_rate", "resume"])

    with pytest.raises(errors.InvalidArgumentError, match=r"epoch_5.keras follows a learning-rate schedule.*"
                                                          r"Received: --learning-rate 0.005$"):
        runs.open_run(arguments, "experiment")
    # Nothing was set aside or rewritten: the refused command changed nothing in the run.
    assert not (run_dir / runs.REPLACED_FOLDER).exists()
    assert (run_dir / runs.CHECKPOINT_FOLDER / "epoch_10.keras").exists()
    assert (run_dir / runs.CONFIG_NAME).read_bytes() == config_before


def test_follows_learning_rate_schedule_reads_the_saved_optimizer(tmp_path):
    _save_checkpoint(tmp_path / "constant.keras", 0.05)
    _save_checkpoint(tmp_path / "decayed.keras", keras.optimizers.schedules.ExponentialDecay(0.05, 10, 0.9))
    (tmp_path / "not_a_model.keras").write_bytes(b"model 5")

    assert not runs.follows_learning_rate_schedule(tmp_path / "constant.keras")
    assert runs.follows_learning_rate_schedule(tmp_path / "decayed.keras")
    assert not runs.follows_learning_rate_schedule(tmp_path / "not_a_model.keras")  # loading it reports that
