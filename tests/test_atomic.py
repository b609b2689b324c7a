import json
import os

import pytest

from pyimagesearch.utils import atomic


def test_temporary_sibling_keeps_suffixes_and_folder(tmp_path):
    temporary = atomic.temporary_sibling(tmp_path / "model.weights.h5")
    assert temporary.parent == tmp_path
    assert temporary.name.endswith(".weights.h5")
    assert temporary.name.startswith(".model.partial-")


def test_atomic_output_path_moves_file_into_place_on_success(tmp_path):
    final = tmp_path / "sub" / "out.txt"
    with atomic.atomic_output_path(final) as temporary:
        temporary.write_text("done")
        assert not final.exists()
    assert final.read_text() == "done"
    assert os.listdir(final.parent) == ["out.txt"]


def test_atomic_output_path_keeps_old_file_and_leaves_nothing_on_failure(tmp_path):
    final = tmp_path / "out.txt"
    final.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic.atomic_output_path(final) as temporary:
            temporary.write_text("half")
            raise RuntimeError("crash while writing")
    assert final.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_write_json_atomic_handles_numpy_values(tmp_path):
    import numpy as np

    path = tmp_path / "history.json"
    atomic.write_json_atomic(path, {"loss": [np.float32(0.5)], "shape": np.array([1, 2])})
    assert json.loads(path.read_text()) == {"loss": [0.5], "shape": [1, 2]}


def test_stale_partial_files_of_dead_processes_are_removed(tmp_path):
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    stale = tmp_path / f".epoch_3.partial-{dead_pid}-0a1b2c3d.keras"
    live = tmp_path / f".epoch_4.partial-{os.getpid()}-0a1b2c3d.keras"
    unrelated = tmp_path / "epoch_2.keras"
    for path in (stale, live, unrelated):
        path.write_bytes(b"x")

    atomic.remove_stale_partials_in(tmp_path)
    atomic.remove_stale_partials_in(tmp_path / "missing")  # no folder: nothing to do

    assert not stale.exists() and live.exists() and unrelated.exists()
