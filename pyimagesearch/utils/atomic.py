"""Write files so that a crash never leaves a half-written file under its final name.

Everything the library saves (models, HDF5 files, JSON histories, downloads) goes through
`atomic_output_path`: the writer fills a temporary file in the same folder, and only a block
that finishes without an exception moves it into place with `os.replace`, which is atomic on
POSIX and Windows when source and target share a file system.

In a run on several processes only process 0 puts files in place (`processes.is_writer`): the
others get a path in a temporary folder that is deleted afterwards, so they execute the same
writes (a model save is a collective operation there) without touching the shared run folder.
"""

import contextlib
import glob
import json
import os
import pathlib
import re
import secrets

from pyimagesearch.utils import errors, processes

# The names `temporary_sibling` gives: ".<name>.partial-<pid>-<token><suffixes>".
PARTIAL_PATTERN = re.compile(r"\.partial-(\d+)-[0-9a-f]+")


def temporary_sibling(final_path):
    """Returns a unique hidden path beside `final_path` that keeps its suffixes.

    The suffixes matter: Keras decides the save format from `.keras` or `.weights.h5`.
    """
    final_path = pathlib.Path(final_path)
    suffixes = "".join(final_path.suffixes)
    stem = final_path.name[: len(final_path.name) - len(suffixes)] if suffixes else final_path.name
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    return final_path.with_name(f".{stem}.partial-{token}{suffixes}")


@contextlib.contextmanager
def atomic_output_path(final_path):
    """Yields a temporary path; moves it to `final_path` only if the block succeeds.

    On an exception the temporary file (or folder) is removed and the final path is untouched.
    On a process other than the writer of a multi-process run the path is in a private
    temporary folder, deleted afterwards: the final path is never touched there.
    """
    final_path = pathlib.Path(final_path)
    if not processes.is_writer():
        with processes.discarded_output_folder() as folder:
            yield pathlib.Path(folder) / temporary_sibling(final_path).name
        return
    final_path.parent.mkdir(parents=True, exist_ok=True)
    temporary_path = temporary_sibling(final_path)
    try:
        yield temporary_path
        os.replace(temporary_path, final_path)
    except BaseException:
        _remove_quietly(temporary_path)
        raise


def write_text_atomic(path, text):
    """Writes `text` to `path` (UTF-8) atomically."""
    with atomic_output_path(path) as temporary_path:
        with open(temporary_path, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())


def write_json_atomic(path, payload):
    """Writes `payload` as indented JSON to `path` atomically."""
    write_text_atomic(path, json.dumps(payload, indent=2, sort_keys=False, default=_json_default) + "\n")


def save_model(model, path):
    """Saves a `.keras` model atomically: a crash never leaves a partial file at `path`.

    A model with a NaN or infinite weight (a diverged run) is refused with
    `errors.NonFiniteModelError`, so no checkpoint, best or final model is ever one.
    """
    _check_finite_weights(model, path)
    with atomic_output_path(path) as temporary_path:
        model.save(temporary_path)


def _check_finite_weights(model, path):
    import keras

    for variable in model.weights:
        # Checked where the weights live (no NumPy copy of a large model); integer variables
        # such as seed-generator states can't be NaN.
        if "float" in str(variable.dtype) and not bool(keras.ops.all(keras.ops.isfinite(variable))):
            raise errors.NonFiniteModelError(
                f"Not saving {path}: the model's weight {variable.path} holds NaN or infinite values "
                "(the training diverged)."
            )


def remove_stale_partials(final_path):
    """Deletes temporary siblings of `final_path` left by processes that no longer run.

    `atomic_output_path` names them `.<name>.partial-<pid>-<token><suffixes>`; a killed
    process (power loss, SIGKILL) can't clean up, so the next run does. Siblings of live
    processes are kept: they may be another download in progress.
    """
    final_path = pathlib.Path(final_path)
    suffixes = "".join(final_path.suffixes)
    stem = final_path.name[: len(final_path.name) - len(suffixes)] if suffixes else final_path.name
    # Process ids are per machine: on a shared folder only the writer may judge its own partials.
    if not final_path.parent.is_dir() or not processes.is_writer():
        return
    for candidate in final_path.parent.glob(f".{glob.escape(stem)}.partial-*"):
        _remove_if_stale(candidate)


def remove_stale_partials_in(folder):
    """Deletes every temporary file or folder in `folder` left by a process that no longer runs
    (e.g. a checkpoint whose write was killed)."""
    folder = pathlib.Path(folder)
    if not folder.is_dir() or not processes.is_writer():
        return
    for candidate in folder.glob(".*.partial-*"):
        _remove_if_stale(candidate)


def _remove_if_stale(candidate):
    match = PARTIAL_PATTERN.search(candidate.name)
    if match and not _process_alive(int(match.group(1))):
        _remove_quietly(candidate)


def _process_alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _json_default(value):
    # NumPy scalars and arrays show up in Keras logs and metrics; JSON needs plain Python values.
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, pathlib.PurePath):
        return str(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _remove_quietly(path):
    path = pathlib.Path(path)
    if path.is_dir() and not path.is_symlink():
        import shutil

        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
