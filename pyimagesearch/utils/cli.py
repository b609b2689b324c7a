"""Run a script's `main()` so that mistakes in its input end in one clear line, not a traceback.

A missing dataset, an unreachable download, a bad flag or an output folder that can't be
written is the user's to fix, and the message says how; a traceback would only hide it.
Bugs still raise with a full traceback, and PYIMAGESEARCH_DEBUG=1 shows the traceback for
the user errors too.

    if __name__ == "__main__":
        sys.exit(cli.run(main))
"""

import errno
import os
import pathlib
import re
import sys

from pyimagesearch.utils import atomic, errors

DEBUG_VARIABLE = "PYIMAGESEARCH_DEBUG"
USER_ERROR_EXIT_CODE = 2
# Operating-system errors that come from the user's paths and permissions, not from a bug.
FILE_SYSTEM_ERRORS = (
    FileNotFoundError,
    FileExistsError,
    NotADirectoryError,
    IsADirectoryError,
    PermissionError,
)
FILE_SYSTEM_ERRNOS = (errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.ENAMETOOLONG)
H5PY_FILE_NAME = re.compile(r"name = '([^']+)'")


def run(main):
    """Calls `main()` and returns the process exit code.

    `main` may return an int exit code; anything else (None, or a result such as a dict or a
    list that it returns for callers in Python) counts as success, 0. A user error prints
    "error: <message>" to stderr and returns 2.
    """
    try:
        code = main()
    except BaseException as error:  # noqa: BLE001 - re-raised unless it is a user error
        message = user_error_message(error)
        if message is None or os.environ.get(DEBUG_VARIABLE):
            raise
        print(f"error: {message}", file=sys.stderr)
        return USER_ERROR_EXIT_CODE
    return code if isinstance(code, int) and not isinstance(code, bool) else 0


def user_error_message(error):
    """The one-line message for a user error, or None when `error` is a bug."""
    if isinstance(error, errors.UserError):
        return _one_line(str(error))
    if isinstance(error, FILE_SYSTEM_ERRORS) or (
        isinstance(error, OSError) and error.errno in FILE_SYSTEM_ERRNOS
    ):
        return _file_system_message(error)
    return None


def _file_system_message(error):
    """Names the path and says what is wrong with it, in words a user can act on."""
    filename = getattr(error, "filename", None)
    if filename is None:
        # h5py names the file only inside its message: "... (unable to open file: name = '...', ...)".
        match = H5PY_FILE_NAME.search(str(error))
        if match is None:
            return _one_line(str(error))
        filename = match.group(1)
    path = pathlib.Path(os.fsdecode(filename))
    if atomic.PARTIAL_PATTERN.search(path.name):
        # The temporary file beside an output means nothing to the user; its folder does.
        path = path.parent
    shown = errors.display_path(path)
    blocking_file = _file_in_the_way(path)
    if blocking_file is not None and isinstance(error, (FileExistsError, NotADirectoryError)):
        # Making a folder at (or under) a regular file: "File exists" would hide what is wrong.
        return (
            f"{errors.display_path(blocking_file)} is a file, not a folder; choose another output "
            "path or move that file"
        )
    reasons = {
        PermissionError: "permission denied; choose a folder you can write to, or fix its permissions",
        FileNotFoundError: "no such file or folder; check the path",
        FileExistsError: "it exists already; choose another name or remove it",
        IsADirectoryError: "it is a folder, where a file was expected",
        NotADirectoryError: "a part of the path is not a folder",
    }
    for error_type, reason in reasons.items():
        if isinstance(error, error_type):
            return f"{shown}: {reason}"
    return f"{shown}: {error.strerror or error}"


def _file_in_the_way(path):
    """The nearest existing one of `path` and its ancestors, if it is a regular file; or None."""
    for candidate in [path, *path.parents]:
        if candidate.exists():
            return candidate if candidate.is_file() else None
    return None


def _one_line(text):
    return " ".join(text.split())
