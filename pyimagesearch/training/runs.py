"""Run folders: `output/<experiment>/<run-id>/` with a `config.json` saying how the run was made.

A run folder holds everything one training run produces (config, history, plots, checkpoints,
reports), so runs never overwrite each other and any result can be traced back to its arguments,
seed, code version and library versions.
"""

import argparse
import datetime
import importlib
import json
import os
import pathlib
import platform
import re
import shutil
import subprocess
import zipfile

from pyimagesearch.callbacks import epochcheckpoint
from pyimagesearch.utils import atomic, errors, processes

CONFIG_NAME = "config.json"
CHECKPOINT_FOLDER = "checkpoints"
FINAL_MODEL = "model.keras"
BEST_MODEL = "best.keras"
HISTORY_FILE = "history.json"
HISTORY_PLOT = "training.png"
# Where a restart with --from-epoch moves the checkpoints and best model it replaces.
REPLACED_FOLDER = "replaced"
RUN_ID_FORMAT = "%Y%m%d-%H%M%S"
GIT_TIMEOUT_SECONDS = 10

# Library name in config.json -> module whose `__version__` is recorded.
LIBRARY_MODULES = {
    "tensorflow": "tensorflow",
    "keras": "keras",
    "numpy": "numpy",
    "h5py": "h5py",
    "opencv": "cv2",
    "scikit-learn": "sklearn",
    "pyimagesearch": "pyimagesearch",
}


def create_run_folder(experiment, output_root="output", run_id=None):
    """Creates and returns `output_root/experiment/run_id` as a `pathlib.Path`.

    Args:
        experiment: the experiment's name, one folder name (e.g. "shallownet_animals").
        output_root: the folder holding all experiments' runs.
        run_id: None for a new run named by the current UTC time ("20261121-183000", with "-1",
            "-2", ... appended if that exists already); or an explicit name, returned as is even
            if it exists, to resume that run.

    In a multi-process run only process 0 makes the folder (`processes.is_writer`), and every
    process must be given the same `run_id`: a timestamp would differ between machines.
    """
    _check_folder_name("experiment", experiment)
    experiment_dir = pathlib.Path(output_root) / experiment
    if run_id is None and processes.num_processes() > 1:
        raise errors.InvalidArgumentError(
            f"A run on {processes.num_processes()} processes needs the same --run-id NAME on every process "
            "(or --resume RUN_DIR), so that all of them use one run folder. Received: no --run-id"
        )
    if run_id is not None:
        _check_folder_name("run_id", run_id)
        run_dir = experiment_dir / run_id
        if processes.is_writer():
            run_dir.mkdir(parents=True, exist_ok=True)
        return run_dir
    experiment_dir.mkdir(parents=True, exist_ok=True)
    timestamp = datetime.datetime.now(datetime.timezone.utc).strftime(RUN_ID_FORMAT)
    candidate, counter = timestamp, 0
    while True:
        # mkdir without exist_ok claims the name, so two processes can't get the same folder.
        try:
            (experiment_dir / candidate).mkdir()
            return experiment_dir / candidate
        except FileExistsError:
            counter += 1
            candidate = f"{timestamp}-{counter}"


def write_run_config(run_dir, arguments, seed=None, extra=None):
    """Writes `run_dir/config.json` atomically and returns what it wrote (a dict).

    Args:
        run_dir: the run folder (see `create_run_folder`).
        arguments: the resolved arguments, a dict or an `argparse.Namespace`. Paths become
            strings, tuples become lists.
        seed: the random seed of the run, or None.
        extra: optional dict of further facts; its "replicas" entry (the number of replicas in
            sync) is also recorded at the top level.

    Besides those, config.json records the git commit of the code (None when it isn't a git
    checkout or git is missing) with a "dirty" flag for uncommitted changes, the versions of
    Python and the main libraries, the host's CPU count, what the run trains on ("distribution":
    the Keras backend, the processes and the devices of all of them, from
    `strategy.get_strategy()`; None if it wasn't called) and the UTC time.
    """
    if isinstance(arguments, argparse.Namespace):
        arguments = vars(arguments)
    if not isinstance(arguments, dict):
        raise errors.InvalidArgumentError(
            f"`arguments` must be a dict or an argparse.Namespace. Received: arguments={type(arguments).__name__}"
        )
    if extra is not None and not isinstance(extra, dict):
        raise errors.InvalidArgumentError(f"`extra` must be a dict or None. Received: extra={type(extra).__name__}")
    run_dir = pathlib.Path(run_dir)
    # Only the writer makes the folder (create_run_folder); another process may get here first.
    if processes.is_writer() and not run_dir.is_dir():
        raise errors.InvalidArgumentError(f"`run_dir` must be an existing folder (see create_run_folder). Received: run_dir={run_dir}")
    extra = _jsonable(extra or {})
    config = {
        "arguments": _jsonable(arguments),
        "seed": seed,
        "git": git_state(),
        "versions": library_versions(),
        "replicas": extra.get("replicas"),
        "cpu_count": os.cpu_count(),
        "distribution": processes.distribution_description(),
        "created_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "extra": extra,
    }
    atomic.write_json_atomic(run_dir / CONFIG_NAME, config)
    return config


def read_run_config(run_dir):
    """Returns the dict stored in `run_dir/config.json`; clear errors when missing or corrupt."""
    path = pathlib.Path(run_dir) / CONFIG_NAME
    if not path.is_file():
        raise errors.MissingFileError(f"No run config at {path}: is {run_dir} a run folder made by write_run_config?")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise errors.InvalidArgumentError(f"The run config {path} is not valid JSON: {error}") from error
    if not isinstance(config, dict):
        raise errors.InvalidArgumentError(f"The run config {path} must hold a JSON object. Received: a {type(config).__name__}")
    return config


def latest_run(experiment_dir):
    """Returns the newest run folder in `experiment_dir` that has a config.json.

    Newest by run id (timestamp ids sort in time order; numbers inside names compare as numbers,
    so "...-10" comes after "...-2"), then by the config's modification time.
    """
    experiment_dir = pathlib.Path(experiment_dir)
    runs = []
    if experiment_dir.is_dir():
        runs = [path for path in experiment_dir.iterdir() if (path / CONFIG_NAME).is_file()]
    if not runs:
        raise errors.InvalidArgumentError(
            f"No run folder with a {CONFIG_NAME} in {experiment_dir}. Train first, or check the path. "
            f"Received: experiment_dir={experiment_dir}"
        )
    return max(runs, key=lambda path: (_natural_key(path.name), (path / CONFIG_NAME).stat().st_mtime))


def git_state():
    """Returns {"commit": sha or None, "dirty": bool or None} for the checkout holding this package."""
    import pyimagesearch

    source_dir = pathlib.Path(pyimagesearch.__file__).resolve().parent
    commit = _git(source_dir, "rev-parse", "HEAD")
    # An installed copy inside some other repository (e.g. a virtualenv in a project) is not our code.
    if commit is None or _git(source_dir, "ls-files", "--error-unmatch", "__init__.py") is None:
        return {"commit": None, "dirty": None}
    status = _git(source_dir, "status", "--porcelain")
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def library_versions():
    """Returns the versions of Python and the main libraries (None for one that isn't installed)."""
    versions = {"python": platform.python_version()}
    for name, module_name in LIBRARY_MODULES.items():
        try:
            versions[name] = str(getattr(importlib.import_module(module_name), "__version__", None))
        except ImportError:
            versions[name] = None
    return versions


def _git(folder, *arguments):
    try:
        completed = subprocess.run(
            ["git", *arguments],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout.strip() if completed.returncode == 0 else None


def _jsonable(value):
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [_jsonable(item) for item in items]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _natural_key(name):
    # Numbers and text never compare with each other: each part is tagged (0, int) or (1, str).
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", name) if part]


def _check_folder_name(name, value):
    if (
        not isinstance(value, str)
        or not value
        or value in (".", "..")
        or "/" in value
        or "\\" in value
        or value != value.strip()
    ):
        raise errors.InvalidArgumentError(f"`{name}` must be a single folder name. Received: {name}={value!r}")


# Flags that may differ when a run is resumed: where it stops, the learning rate from the
# resume point on, the checkpoint to restart from and how many checkpoints to keep.
RESUME_MAY_CHANGE = ("epochs", "learning_rate", "from_epoch", "keep_checkpoints", "resume", "given_flags")


def open_run(arguments, experiment, before_create=None):
    """Returns the run folder for a train script's parsed `arguments`.

    With `arguments.resume` set, the existing folder is reopened and its saved arguments
    replace the parsed ones: a resumed run keeps its own settings, `--epochs` included,
    unless a new value is given for one of `RESUME_MAY_CHANGE`. A flag typed on the command
    line (`arguments.given_flags`, see `flags.parse_run_arguments`) whose value differs from
    the saved run's is refused, naming it. A new `--learning-rate` is appended to
    `arguments.learning_rate_segments` (from epoch, learning rate, when), which config.json
    keeps.

    Otherwise `before_create()` runs first, if given (e.g. to fetch the dataset, so a failure
    leaves no empty run folder), and a new folder is made under `arguments.output/experiment`;
    a `--run-id` that names an existing run is refused (resume it instead).
    """
    given = set(getattr(arguments, "given_flags", ()))
    if arguments.resume:
        return _reopen(arguments, given)
    if arguments.run_id is not None and processes.is_writer():
        # Not asked on the other processes of a multi-process run: process 0 may have made it already.
        existing = pathlib.Path(arguments.output) / experiment / arguments.run_id
        if existing.exists():
            raise errors.InvalidArgumentError(
                f"{existing} exists already; continue it with --resume {existing}, or choose another "
                f"--run-id. Received: --run-id {arguments.run_id}"
            )
    if before_create is not None:
        before_create()
    run_dir = create_run_folder(experiment, arguments.output, arguments.run_id)
    arguments.learning_rate_segments = [_segment(0, arguments.learning_rate)]
    return run_dir


def _reopen(arguments, given):
    run_dir = pathlib.Path(arguments.resume)
    saved = read_run_config(run_dir)["arguments"]
    for name in sorted(given - set(RESUME_MAY_CHANGE)):
        if name in saved and not _same_setting(saved[name], _jsonable(getattr(arguments, name))):
            flag = "--" + name.replace("_", "-")
            raise errors.InvalidArgumentError(
                f"{flag} differs from the run being resumed ({saved[name]!r}); a resumed run keeps its "
                f"settings (only --epochs, --learning-rate, --from-epoch and --keep-checkpoints may "
                f"change). Start a new run instead. Received: {flag} {getattr(arguments, name)!r}"
            )
    for name, value in saved.items():
        if name not in RESUME_MAY_CHANGE or name not in given:
            setattr(arguments, name, value)
    arguments.resume = str(run_dir)
    arguments.given_flags = sorted(given)
    checkpoint_path, resume_epoch = resume_point(run_dir, arguments.from_epoch)
    segments = [segment for segment in saved.get("learning_rate_segments") or [_segment(0, saved["learning_rate"])]
                if segment["from_epoch"] <= resume_epoch]
    if "learning_rate" not in given:
        arguments.learning_rate = segments[-1]["learning_rate"]
    else:
        # Asked here, before config.json or the checkpoints change, not only when the model loads.
        if checkpoint_path is not None and follows_learning_rate_schedule(checkpoint_path):
            raise schedule_refusal(checkpoint_path, arguments.learning_rate)
        if arguments.learning_rate != segments[-1]["learning_rate"]:
            segments.append(_segment(resume_epoch, arguments.learning_rate))
    arguments.learning_rate_segments = segments
    if arguments.from_epoch is not None:
        set_aside_after(run_dir, resume_epoch)
    return run_dir


def follows_learning_rate_schedule(model_path):
    """Whether the optimizer saved in the .keras file `model_path` takes its rate from a schedule,
    read from the file's config.json without loading the model. A file that can't be read so
    gives False: loading it says what is wrong with it."""
    try:
        with zipfile.ZipFile(model_path) as archive:
            optimizer = json.loads(archive.read("config.json"))["compile_config"]["optimizer"]
        # mixed_float16 wraps the optimizer in a LossScaleOptimizer.
        while "inner_optimizer" in optimizer["config"]:
            optimizer = optimizer["config"]["inner_optimizer"]
        return isinstance(optimizer["config"]["learning_rate"], dict)
    except (OSError, KeyError, TypeError, ValueError, zipfile.BadZipFile):
        return False


def schedule_refusal(checkpoint_path, learning_rate):
    """The user error for `--resume ... --learning-rate` on a run whose optimizer follows a schedule."""
    return errors.InvalidArgumentError(
        f"The optimizer in {checkpoint_path} follows a learning-rate schedule, so --learning-rate "
        f"can't replace its rate. Received: --learning-rate {learning_rate}"
    )


def resume_point(run_dir, from_epoch=None):
    """(checkpoint path, epoch) a run resumes from: epoch `from_epoch`'s checkpoint, or the
    newest one; (None, 0) when a run has none yet. A missing `from_epoch` is a user error
    listing the checkpoints there are."""
    folder = pathlib.Path(run_dir) / CHECKPOINT_FOLDER
    if from_epoch is None:
        return epochcheckpoint.latest_checkpoint(folder)
    checkpoints = epochcheckpoint.list_checkpoints(folder)
    if from_epoch not in checkpoints:
        available = ", ".join(str(epoch) for epoch in sorted(checkpoints)) or "none"
        raise errors.InvalidArgumentError(
            f"{folder} has no checkpoint of epoch {from_epoch} (epochs with one: {available}). "
            f"Received: --from-epoch {from_epoch}"
        )
    return checkpoints[from_epoch], from_epoch


def set_aside_after(run_dir, epoch):
    """Moves what a restart from `epoch` replaces into `run_dir/replaced/<when>-from-epoch-<epoch>/`.

    That is the checkpoints of later epochs, the best model (it may come from a later epoch)
    and copies of history.json and training.png (TrainingMonitor trims the history itself).
    Nothing is deleted, so an abandoned branch of a run can still be inspected or resumed.
    """
    run_dir = pathlib.Path(run_dir)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime(RUN_ID_FORMAT)
    target = run_dir / REPLACED_FOLDER / f"{stamp}-from-epoch-{epoch}"
    if not processes.is_writer():  # process 0 moves the files; the others read the checkpoint of `epoch`
        return target
    later = {number: path for number, path in epochcheckpoint.list_checkpoints(run_dir / CHECKPOINT_FOLDER).items()
             if number > epoch}
    moves = [(path, target / CHECKPOINT_FOLDER / path.name) for path in later.values()]
    if (run_dir / BEST_MODEL).is_file():
        moves.append((run_dir / BEST_MODEL, target / BEST_MODEL))
    for name in (HISTORY_FILE, HISTORY_PLOT):
        if (run_dir / name).is_file():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(run_dir / name, target / name)
    for source, destination in moves:
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, destination)
    if moves or target.exists():
        print(f"[INFO] restarting from epoch {epoch}: what came after is kept in {target}")
    return target


def _same_setting(saved, given):
    """Whether a flag given with --resume repeats the saved value (a path may be spelled
    relative one time and absolute the other)."""
    if saved == given:
        return True
    if isinstance(saved, str) and isinstance(given, str) and os.path.exists(given):
        return os.path.abspath(saved) == os.path.abspath(given)
    return False


def _segment(from_epoch, learning_rate):
    """One entry of a run's learning-rate history; `from_epoch` None until the resume epoch is known."""
    when = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    return {"from_epoch": from_epoch, "learning_rate": learning_rate, "when": when}


def open_finished_run(run, output, experiment):
    """For evaluate scripts: returns (run folder, its saved train arguments, its final model).

    The folder is `run` if given, else the latest under `output/experiment`. The model is
    loaded first, so a run that never finished fails before any image is read.
    """
    run_dir = pathlib.Path(run) if run else latest_run(pathlib.Path(output) / experiment)
    saved_arguments = read_run_config(run_dir)["arguments"]
    print(f"[INFO] evaluating {run_dir}")
    model = load_model(run_dir / FINAL_MODEL)
    return run_dir, saved_arguments, model


def load_model(path, compile=True):
    """Loads a `.keras` model in Keras' safe mode (no code from the file is run).

    A missing file, or one that Keras can't or won't load (truncated, not a model, or naming
    a class or function it refuses, such as `os.system`), is a user error naming the file.
    """
    import keras

    path = pathlib.Path(path)
    if not path.is_file():
        raise errors.InvalidArgumentError(f"No model at {path}: did the run finish? Received: path={str(path)!r}")
    try:
        return keras.saving.load_model(path, compile=compile, safe_mode=True)
    except Exception as error:  # noqa: BLE001 - Keras raises many types for a bad file
        reason = " ".join(str(error).split())[:300]
        raise errors.InvalidFileError(f"Cannot load the Keras model {path}: {reason}") from error
