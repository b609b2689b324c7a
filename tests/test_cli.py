"""`cli.run` (pyimagesearch/utils/cli.py): a user error is one line and exit 2; a bug raises."""

import errno
import os

import pytest

from pyimagesearch.utils import cli, errors


def _run(capsys, function):
    code = cli.run(function)
    return code, capsys.readouterr().err.strip().splitlines()


def _raise(error):
    def main():
        raise error

    return main


def test_exit_codes_of_a_main_that_returns():
    assert cli.run(lambda: None) == 0
    assert cli.run(lambda: 0) == 0
    assert cli.run(lambda: 3) == 3
    # A result returned for Python callers is not an exit code (sys.exit([...]) would exit 1).
    assert cli.run(lambda: ["prediction"]) == 0
    assert cli.run(lambda: {"files": {}}) == 0
    assert cli.run(lambda: True) == 0


def test_a_user_error_is_one_line_and_exit_two(capsys):
    code, lines = _run(capsys, _raise(errors.InvalidArgumentError("`epochs` must be >= 1.\n Received: epochs=0")))
    assert code == cli.USER_ERROR_EXIT_CODE == 2
    assert lines == ["error: `epochs` must be >= 1. Received: epochs=0"]


def test_every_package_error_is_a_user_error(capsys):
    from pyimagesearch.datasets.download import DatasetDownloadError
    from pyimagesearch.datasets.imagefiles import ImageReadError
    from pyimagesearch.io.hdf5format import InvalidDatasetFileError
    from pyimagesearch.nn.applications import PretrainedWeightsError

    for error in (
        DatasetDownloadError("no network"),
        ImageReadError("x.jpg", "truncated"),
        InvalidDatasetFileError("x.hdf5", "incomplete"),
        PretrainedWeightsError("not cached"),
        errors.MissingFileError("no config.json"),
    ):
        code, lines = _run(capsys, _raise(error))
        assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), (error, lines)


def test_a_bug_raises_with_its_traceback(capsys):
    with pytest.raises(ValueError, match="operands could not be broadcast"):
        cli.run(_raise(ValueError("operands could not be broadcast")))
    with pytest.raises(KeyError):
        cli.run(_raise(KeyError("missing")))
    assert capsys.readouterr().err == ""


def test_debug_shows_the_traceback_of_a_user_error(monkeypatch):
    monkeypatch.setenv(cli.DEBUG_VARIABLE, "1")
    with pytest.raises(errors.InvalidArgumentError):
        cli.run(_raise(errors.InvalidArgumentError("bad")))


def test_permission_denied_names_the_path(capsys, tmp_path):
    error = PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "locked" / "out"))
    code, lines = _run(capsys, _raise(error))
    assert code == 2
    assert lines == [f"error: {tmp_path / 'locked' / 'out'}: permission denied; choose a folder you can write "
                     "to, or fix its permissions"]


def test_a_folder_under_a_regular_file_names_the_file(capsys, tmp_path):
    (tmp_path / "a-file").write_text("x")

    def make_folder():
        (tmp_path / "a-file" / "out" / "deeper").mkdir(parents=True)

    code, lines = _run(capsys, make_folder)
    assert code == 2
    assert lines == [f"error: {tmp_path / 'a-file'} is a file, not a folder; choose another output path or "
                     "move that file"]


def test_a_read_only_file_system_is_a_user_error(capsys):
    code, lines = _run(capsys, _raise(OSError(errno.EROFS, "Read-only file system", "/mnt/out")))
    assert code == 2 and lines == ["error: /mnt/out: Read-only file system"]


def test_other_os_errors_are_bugs():
    with pytest.raises(OSError):
        cli.run(_raise(OSError(errno.EIO, "Input/output error", "/dev/sda")))


def test_a_file_name_that_is_not_utf8_prints(capsys, tmp_path):
    name = os.fsencode(tmp_path) + b"/bad-\xff.jpg"
    code, lines = _run(capsys, _raise(FileNotFoundError(errno.ENOENT, "No such file", name)))
    assert code == 2 and len(lines) == 1 and lines[0].endswith("bad-\\xff.jpg: no such file or folder; check the path")
    assert errors.display_path(os.fsdecode(name)) == errors.display_path(name) == os.fsdecode(tmp_path) + "/bad-\\xff.jpg"


def test_a_temporary_output_file_is_reported_as_its_folder(capsys, tmp_path):
    partial = tmp_path / "locked" / ".out.partial-123-0a1b2c3d.hdf5"
    code, lines = _run(capsys, _raise(PermissionError(errno.EACCES, "Permission denied", str(partial))))
    assert code == 2 and lines[0].startswith(f"error: {tmp_path / 'locked'}: permission denied")


def test_h5pys_permission_error_names_the_folder(capsys, tmp_path):
    message = (f"[Errno 13] Unable to synchronously create file (unable to open file: name = "
               f"'{tmp_path}/.f.partial-29402-da0f2c0f.hdf5', errno = 13, error message = 'Permission denied')")
    code, lines = _run(capsys, _raise(PermissionError(errno.EACCES, message)))
    assert code == 2 and lines == [f"error: {tmp_path}: permission denied; choose a folder you can write to, or "
                                   "fix its permissions"]
