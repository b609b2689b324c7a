"""Download dataset archives, verify them, and extract them without path traversal.

Why not `keras.utils.get_file` (Keras 3.15, read before writing this):
- it streams with `urlretrieve` straight into the final file name, with no timeout, so a
  hung or killed download leaves a partial file under the final name, and with no network
  it can wait for the operating system's TCP timeout (minutes);
- a file that fails the hash check is left in place and a generic `ValueError` is raised;
- extraction skips unsafe members with a warning instead of refusing the archive, and
  writes straight into the final folder;
- errors are a bare `Exception("URL fetch failure ...")` that names neither the destination
  nor what to do offline.
So this module keeps get_file's ideas (a cache, sha256 or md5, tar and zip) and does each
step the way our rules ask: stream to a temporary sibling with a short timeout, verify the
size and hash, `os.replace` into place; check every archive member before extracting
anything, extract into a temporary folder, then move it into place.
"""

import hashlib
import http.client
import os
import pathlib
import posixpath
import re
import socket
import stat
import tarfile
import threading
import urllib.error
import urllib.parse
import urllib.request
import zipfile

import progressbar

from pyimagesearch.utils import atomic, errors, validation

# Seconds to wait for the connection and for each read: with no network we fail fast.
DEFAULT_TIMEOUT = 10.0
_CHUNK_SIZE = 1 << 20
_HASH_LENGTHS = {"sha256": 64, "md5": 32}


class DatasetDownloadError(errors.UserError, RuntimeError):
    """A dataset could not be downloaded, verified or extracted.

    `url` is the source, `destination` the file or folder that was being made; both may be
    None when they don't apply. The message says what went wrong and what to do.
    """

    def __init__(self, message, url=None, destination=None):
        self.url = url
        self.destination = None if destination is None else str(destination)
        super().__init__(message)


class ChecksumMismatchError(DatasetDownloadError):
    """The downloaded (or cached) file does not have the expected size or hash."""


class UnsafeArchiveError(DatasetDownloadError):
    """An archive member would land outside the extraction folder (or is a device file)."""


def hash_file(path, algorithm="sha256"):
    """Returns the hex digest of the file at `path` (`algorithm` is "sha256" or "md5")."""
    if algorithm not in _HASH_LENGTHS:
        raise errors.InvalidArgumentError(f"`algorithm` must be 'sha256' or 'md5'. Received: algorithm={algorithm!r}")
    hasher = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK_SIZE), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def verify_file(path, sha256=None, md5=None, size=None):
    """Raises `ChecksumMismatchError` unless the file has the given size and hashes.

    Arguments left as None are not checked.
    """
    _check_expected(sha256, md5, size)
    path = pathlib.Path(path)
    actual_size = path.stat().st_size
    problems = []
    if size is not None and actual_size != size:
        problems.append(f"size is {actual_size:,} bytes, expected {size:,}")
    for algorithm, expected in (("sha256", sha256), ("md5", md5)):
        if expected is not None and not problems:
            actual = hash_file(path, algorithm)
            if actual != expected.lower():
                problems.append(f"{algorithm} is {actual}, expected {expected.lower()}")
    if problems:
        raise ChecksumMismatchError(f"{path}: {'; '.join(problems)}.", destination=path)


def download_file(url, destination, sha256=None, md5=None, size=None, timeout=DEFAULT_TIMEOUT, verbose=True):
    """Downloads `url` to `destination` and returns `destination` as a pathlib.Path.

    The bytes are streamed into a hidden temporary file beside `destination`, hashed on the
    way, and moved into place with `os.replace` only when the size and the hashes match, so a
    failed or interrupted download never leaves a file under the final name. An existing
    `destination` is verified and reused (it can be a copy placed there by hand).

    Raises `DatasetDownloadError` (network, HTTP or disk errors) or `ChecksumMismatchError`.
    """
    _check_url(url)
    _check_expected(sha256, md5, size)
    validation.check_positive_numbers(timeout=timeout)
    destination = pathlib.Path(destination)
    if destination.exists():
        verify_file(destination, sha256=sha256, md5=md5, size=size)
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    atomic.remove_stale_partials(destination)
    with atomic.atomic_output_path(destination) as temporary_path:
        digests, received = _stream(url, destination, temporary_path, timeout, verbose)
        _check_download(url, destination, digests, received, sha256=sha256, md5=md5, size=size)
    return destination


def _stream(url, destination, temporary_path, timeout, verbose):
    """Copies the response body into `temporary_path`. Returns ({algorithm: hex}, bytes)."""
    hashers = {name: hashlib.new(name) for name in _HASH_LENGTHS}
    received = 0
    try:
        _resolve_host(url, timeout)
        with urllib.request.urlopen(url, timeout=timeout) as response:
            announced = _content_length(response)
            bar = _transfer_bar(announced, verbose)
            with open(temporary_path, "wb") as handle:
                for chunk in iter(lambda: response.read(_CHUNK_SIZE), b""):
                    handle.write(chunk)
                    for hasher in hashers.values():
                        hasher.update(chunk)
                    received += len(chunk)
                    bar.update(received)
                handle.flush()
                os.fsync(handle.fileno())
            bar.finish()
    except urllib.error.HTTPError as error:
        reason, cause = f"HTTP error {error.code} ({error.reason})", error
    except urllib.error.URLError as error:
        reason, cause = f"cannot connect ({error.reason})", error
    except (OSError, http.client.HTTPException) as error:
        reason, cause = f"the transfer failed ({type(error).__name__}: {error})", error
    else:
        reason, cause = None, None
        if announced is not None and received != announced:
            reason = f"the connection closed after {received:,} of {announced:,} bytes"
    if reason is not None:
        raise DatasetDownloadError(
            f"Could not download {url} to {destination}: {reason}. Nothing was saved.",
            url=url,
            destination=destination,
        ) from cause
    return {name: hasher.hexdigest() for name, hasher in hashers.items()}, received


def _resolve_host(url, timeout):
    """Looks the host name up with a time limit.

    urlopen's timeout covers connecting and reading but not the DNS lookup, which can take
    far longer when the resolver itself is unreachable. With a proxy, the proxy resolves.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "file" or not parts.hostname:
        return
    if parts.scheme in urllib.request.getproxies() and not urllib.request.proxy_bypass(parts.hostname):
        return
    # A daemon thread, so a lookup that hangs holds up neither us nor the interpreter's exit.
    outcome = {}

    def look_up():
        try:
            socket.getaddrinfo(parts.hostname, parts.port or 443, 0, socket.SOCK_STREAM)
        except OSError as error:
            outcome["error"] = error

    thread = threading.Thread(target=look_up, name="dns-lookup", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"looking up {parts.hostname} took longer than {timeout} s")
    if "error" in outcome:
        raise urllib.error.URLError(outcome["error"])


def _content_length(response):
    value = response.headers.get("Content-Length")
    return int(value) if value and value.isdigit() else None


def _transfer_bar(total, verbose):
    if not verbose:
        return progressbar.NullBar()
    return progressbar.DataTransferBar(max_value=total if total else progressbar.UnknownLength).start()


def _check_download(url, destination, digests, received, sha256, md5, size):
    problems = []
    if size is not None and received != size:
        problems.append(f"received {received:,} bytes, expected {size:,}")
    if sha256 is not None and digests["sha256"] != sha256.lower():
        problems.append(f"sha256 is {digests['sha256']}, expected {sha256.lower()}")
    if md5 is not None and digests["md5"] != md5.lower():
        problems.append(f"md5 is {digests['md5']}, expected {md5.lower()}")
    if problems:
        raise ChecksumMismatchError(
            f"the download from {url} was refused and deleted: {'; '.join(problems)}.",
            url=url,
            destination=destination,
        )


def extract_archive(archive_path, output_dir, verbose=True):
    """Extracts a tar (any compression) or zip archive into the new folder `output_dir`.

    Every member is checked before anything is written: absolute names, `..` components,
    links that point outside the folder and device files make the whole archive refused with
    `UnsafeArchiveError`. The files go into a temporary sibling folder that is moved to
    `output_dir` only when extraction finished. Returns `output_dir` as a pathlib.Path.
    """
    archive_path = pathlib.Path(archive_path)
    output_dir = pathlib.Path(output_dir)
    if not archive_path.is_file():
        raise errors.InvalidArgumentError(f"Expected an archive file. Received: archive_path={str(archive_path)!r}")
    if output_dir.exists():
        raise errors.InvalidArgumentError(f"The extraction folder must not exist yet. Received: output_dir={str(output_dir)!r}")
    with atomic.atomic_output_path(output_dir) as temporary_dir:
        temporary_dir.mkdir()
        if tarfile.is_tarfile(archive_path):
            _extract_tar(archive_path, temporary_dir, verbose)
        elif zipfile.is_zipfile(archive_path):
            _extract_zip(archive_path, temporary_dir, verbose)
        else:
            raise DatasetDownloadError(f"{archive_path} is neither a tar nor a zip archive.", destination=archive_path)
    return output_dir


def _extract_tar(archive_path, output_dir, verbose):
    with tarfile.open(archive_path) as archive:
        members = archive.getmembers()
        for member in members:
            _check_tar_member(archive_path, member)
        # Python's "data" filter (3.11.4+) re-checks names and links and drops odd permissions.
        extract_options = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        for member in _progress(members, verbose, "extracting"):
            archive.extract(member, output_dir, **extract_options)


def _check_tar_member(archive_path, member):
    _check_member_name(archive_path, member.name)
    if member.issym():
        target = posixpath.join(posixpath.dirname(member.name), member.linkname)
        if member.linkname.startswith(("/", "\\")) or _escapes(target):
            _refuse(archive_path, member.name, f"is a link to {member.linkname!r}, outside the archive folder")
    elif member.islnk():
        if member.linkname.startswith(("/", "\\")) or _escapes(member.linkname):
            _refuse(archive_path, member.name, f"is a hard link to {member.linkname!r}, outside the archive folder")
    elif not (member.isfile() or member.isdir()):
        _refuse(archive_path, member.name, "is a device, pipe or other special file")


def _extract_zip(archive_path, output_dir, verbose):
    with zipfile.ZipFile(archive_path) as archive:
        members = archive.infolist()
        for member in members:
            _check_zip_member(archive_path, archive, member)
        for member in _progress(members, verbose, "extracting"):
            archive.extract(member, output_dir)


def _check_zip_member(archive_path, archive, member):
    _check_member_name(archive_path, member.filename)
    mode = member.external_attr >> 16
    if stat.S_ISLNK(mode):
        # zipfile writes a link as a small file holding the target; refuse escaping targets
        # anyway, so tar and zip follow the same rule.
        link = archive.read(member).decode("utf-8", "replace")
        target = posixpath.join(posixpath.dirname(member.filename), link)
        if link.startswith(("/", "\\")) or _escapes(target):
            _refuse(archive_path, member.filename, f"is a link to {link!r}, outside the archive folder")


def _check_member_name(archive_path, name):
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        _refuse(archive_path, name, "has an absolute path")
    if _escapes(name):
        _refuse(archive_path, name, "has a '..' component that leaves the archive folder")


def _escapes(name):
    """True if the relative archive name contains a '..' part (with / or \\ separators)."""
    return ".." in re.split(r"[/\\]+", name)


def _refuse(archive_path, name, why):
    raise UnsafeArchiveError(
        f"Refusing to extract {archive_path}: member {name!r} {why}. Nothing was extracted.",
        destination=archive_path,
    )


def _progress(items, verbose, label):
    if not verbose or len(items) < 100:
        return items
    bar = progressbar.ProgressBar(max_value=len(items), prefix=f"{label}: ")
    return bar(items)


def _check_url(url):
    if not isinstance(url, str) or not re.match(r"^(https?|ftp|file)://", url):
        raise errors.InvalidArgumentError(f"`url` must be an http(s), ftp or file URL. Received: url={url!r}")


def _check_expected(sha256, md5, size):
    for algorithm, value in (("sha256", sha256), ("md5", md5)):
        if value is not None and not re.fullmatch(rf"[0-9a-fA-F]{{{_HASH_LENGTHS[algorithm]}}}", str(value)):
            raise errors.InvalidArgumentError(
                f"`{algorithm}` must be {_HASH_LENGTHS[algorithm]} hex digits. Received: {algorithm}={value!r}"
            )
    if size is not None:
        validation.check_integer("size", size, minimum=0)
