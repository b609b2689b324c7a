"""Run a script's `main()` so that mistakes in its input end in one clear line, not a traceback.

A missing dataset, an unreachable download or a bad flag is the user's to fix, and the
message says how; a traceback would only hide it. Bugs still raise with a full traceback,
and PYIMAGESEARCH_DEBUG=1 shows the traceback for the user errors too.
"""

import os
import sys

from pyimagesearch.datasets.download import DatasetDownloadError

USER_ERRORS = (DatasetDownloadError, ValueError, FileNotFoundError, FileExistsError)
DEBUG_VARIABLE = "PYIMAGESEARCH_DEBUG"


def run(main):
    """Calls `main()`; a user error prints "error: <message>" to stderr and exits with 2."""
    try:
        return main()
    except USER_ERRORS as error:
        if os.environ.get(DEBUG_VARIABLE):
            raise
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
