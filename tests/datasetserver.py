"""A local HTTP server for dataset download tests: `serve(folder)` yields its base URL.

The catalog's mirror variable points at it, so the real catalog entries (their file names and
download rules) are exercised without the internet.
"""

import contextlib
import functools
import http.server
import socket
import threading

# The catalog's variable (pyimagesearch.datasets.catalog.MIRROR_VARIABLE); test_catalog checks the two agree.
MIRROR_VARIABLE = "PYIMAGESEARCH_DATASET_MIRROR"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def serve(folder):
    """Serves `folder` on 127.0.0.1 (a free port) and yields "http://127.0.0.1:<port>"."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@contextlib.contextmanager
def mirror(monkeypatch, folder):
    """Serves `folder` and points the catalog's mirror variable at it for the block."""
    with serve(folder) as base_url:
        monkeypatch.setenv(MIRROR_VARIABLE, base_url)
        yield base_url


def new_folder(path):
    """Makes the folder `path` (and its parents); returns it."""
    path.mkdir(parents=True)
    return path


def closed_port():
    """A port on 127.0.0.1 nothing listens on: an unreachable download address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def all_files(folder):
    """Every path under `folder`, relative, sorted ([] when it does not exist)."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*")) if folder.exists() else []
