"""The errors that are the user's to fix, as opposed to bugs.

Every user-facing error of the package derives from `UserError`: a bad argument or flag, a
missing or invalid dataset, an HDF5 file that is not a complete dataset file, an unreadable
image, a failed download, missing pre-trained weights. `pyimagesearch.utils.cli.run` turns
one into a single `error: ...` line and exit code 2; anything else is a bug and raises with
its traceback.

Each subclass also derives from the built-in type a caller would expect (`ValueError` for a
bad argument, as Keras raises), so `except ValueError` keeps working for library users.
"""

import os


class UserError(Exception):
    """Base of the errors whose message tells the user what to fix."""


class InvalidArgumentError(UserError, ValueError):
    """An argument or command-line flag with a value the function can't use.

    The message names the argument and ends in "Received: name=value".
    """


class MissingFileError(UserError, FileNotFoundError):
    """A file or folder the user named (or a run needs) does not exist."""


class InvalidFileError(UserError, ValueError):
    """A file that exists but can't be used: corrupt, of the wrong kind, or unsafe to load."""


class NonFiniteModelError(UserError):
    """A model whose weights hold NaN or infinite values (a diverged run): it is never saved."""


def display_path(path):
    """`path` as printable text, even when its bytes are not valid UTF-8.

    Bytes that are not UTF-8 are shown as `\\xNN` escapes, instead of raising
    UnicodeEncodeError when the message is printed.
    """
    if not isinstance(path, (str, bytes, os.PathLike)):
        return str(path)
    return os.fsencode(path).decode("utf-8", "backslashreplace")
