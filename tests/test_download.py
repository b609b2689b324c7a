"""Downloads against a local HTTP server: verified, atomic, safe to extract, fast to fail.

The server is a thread on 127.0.0.1 (port 0) serving archives this file makes: a tiny
Flowers-17 (17 classes x 2 images, same names and order as the real one), a Dogs vs. Cats
zip, and archives with path-traversal members.
"""

import functools
import hashlib
import http.server
import io
import json
import os
import shutil
import socket
import tarfile
import threading
import time
import zipfile

import cv2
import numpy as np
import pytest

from pyimagesearch.datasets import catalog
from pyimagesearch.datasets import download

IMAGES_PER_CLASS = 2


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def do_GET(self):
        if self.path == "/truncated.bin":
            # Announce 1,000 bytes, send 10 and hang up: a dropped connection.
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.wfile.flush()
            self.close_connection = True
            return
        super().do_GET()


@pytest.fixture
def server(tmp_path):
    """Serves tmp_path/'served' at the yielded base URL; stops afterwards."""
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(served))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # A short poll interval: shutdown() waits for the next poll.
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield served, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _jpeg_bytes(value):
    ok, encoded = cv2.imencode(".jpg", np.full((6, 6, 3), value, np.uint8))
    return encoded.tobytes()


def _add_bytes(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def _make_flowers_tarball(path, images_per_class=IMAGES_PER_CLASS, extra_members=()):
    """A 17flowers.tgz look-alike: jpg/image_0001.jpg .. in class order, plus files.txt."""
    with tarfile.open(path, "w:gz") as archive:
        count = len(catalog.FLOWERS17_CLASSES) * images_per_class
        for number in range(1, count + 1):
            _add_bytes(archive, f"jpg/image_{number:04d}.jpg", _jpeg_bytes(number))
        _add_bytes(archive, "jpg/files.txt", b"image list\n")
        for member in extra_members:
            archive.addfile(*member)
    return _sha256(path)


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _all_files(folder):
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*")) if folder.exists() else []


def _partials(folder):
    return [path for path in folder.rglob("*") if ".partial-" in path.name] if folder.exists() else []


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the catalog's Flowers-17 path ------------------------------------------------------


def test_flowers17_downloads_verifies_and_arranges_in_official_order(server, tmp_path):
    served, base_url = server
    sha256 = _make_flowers_tarball(served / "17flowers.tgz")
    root = tmp_path / "datasets"
    entry = catalog.flowers17_entry(url=f"{base_url}/17flowers.tgz", sha256=sha256, images_per_class=IMAGES_PER_CLASS)

    folder = catalog.resolve_dataset(entry, datasets_root=root, verbose=False)

    assert folder == root / "flowers17"
    classes = sorted(path.name for path in folder.iterdir())
    assert classes == sorted(catalog.FLOWERS17_CLASSES) and len(classes) == 17
    for class_index, class_name in enumerate(catalog.FLOWERS17_CLASSES):
        names = sorted(path.name for path in (folder / class_name).iterdir())
        first = class_index * IMAGES_PER_CLASS + 1
        assert names == [f"image_{first:04d}.jpg", f"image_{first + 1:04d}.jpg"]
    assert not _partials(root)
    assert not (folder / ".extracted").exists()
    record = json.loads((root / "downloads" / "17flowers.tgz.json").read_text(encoding="utf-8"))
    assert record["sha256"] == sha256 and record["url"] == entry.url


def test_a_mirror_serves_the_archive_under_its_file_name_and_is_verified(server, tmp_path, monkeypatch):
    served, base_url = server
    sha256 = _make_flowers_tarball(served / "17flowers.tgz")
    monkeypatch.setenv(catalog.MIRROR_VARIABLE, base_url + "/")
    # The original address is unreachable: only the mirror can deliver.
    entry = catalog.flowers17_entry(url=f"http://127.0.0.1:{_closed_port()}/17flowers.tgz", sha256=sha256,
                                    images_per_class=IMAGES_PER_CLASS)

    folder = catalog.resolve_dataset(entry, datasets_root=tmp_path / "datasets", verbose=False)

    assert len(list(folder.iterdir())) == 17
    record = json.loads((tmp_path / "datasets" / "downloads" / "17flowers.tgz.json").read_text())
    assert record["url"] == f"{base_url}/17flowers.tgz"


def test_a_mirror_with_a_wrong_file_is_refused(server, tmp_path, monkeypatch):
    served, base_url = server
    _make_flowers_tarball(served / "17flowers.tgz")
    monkeypatch.setenv(catalog.MIRROR_VARIABLE, base_url)
    entry = catalog.flowers17_entry(sha256="0" * 64, images_per_class=IMAGES_PER_CLASS)
    with pytest.raises(download.DatasetDownloadError, match=base_url):
        catalog.resolve_dataset(entry, datasets_root=tmp_path / "datasets", verbose=False)
    assert _all_files(tmp_path / "datasets") == []


def test_flowers17_second_call_needs_no_network(server, tmp_path):
    served, base_url = server
    sha256 = _make_flowers_tarball(served / "17flowers.tgz")
    root = tmp_path / "datasets"
    entry = catalog.flowers17_entry(url=f"{base_url}/17flowers.tgz", sha256=sha256, images_per_class=IMAGES_PER_CLASS)
    first = catalog.resolve_dataset(entry, datasets_root=root, verbose=False)
    offline = catalog.flowers17_entry(url=f"http://127.0.0.1:{_closed_port()}/17flowers.tgz", sha256=sha256,
                                      images_per_class=IMAGES_PER_CLASS)

    assert catalog.resolve_dataset(offline, datasets_root=root, verbose=False) == first


def test_a_hand_copied_archive_is_used_without_network(server, tmp_path):
    served, _ = server
    root = tmp_path / "datasets"
    (root / "downloads").mkdir(parents=True)
    sha256 = _make_flowers_tarball(root / "downloads" / "17flowers.tgz")
    entry = catalog.flowers17_entry(url=f"http://127.0.0.1:{_closed_port()}/17flowers.tgz", sha256=sha256,
                                    images_per_class=IMAGES_PER_CLASS)

    folder = catalog.resolve_dataset(entry, datasets_root=root, download=False, verbose=False)

    assert len(list(folder.iterdir())) == 17


def test_wrong_checksum_is_refused_and_leaves_nothing(server, tmp_path):
    served, base_url = server
    _make_flowers_tarball(served / "17flowers.tgz")
    root = tmp_path / "datasets"
    entry = catalog.flowers17_entry(url=f"{base_url}/17flowers.tgz", sha256="0" * 64, images_per_class=IMAGES_PER_CLASS)

    with pytest.raises(download.DatasetDownloadError) as caught:
        catalog.resolve_dataset(entry, datasets_root=root, verbose=False)

    assert isinstance(caught.value.__cause__, download.ChecksumMismatchError)
    assert "sha256" in str(caught.value) and "0" * 64 in str(caught.value)
    assert _all_files(root) == []


def test_unreachable_host_fails_fast_with_folder_url_and_alternative(tmp_path):
    root = tmp_path / "datasets"
    url = f"http://127.0.0.1:{_closed_port()}/17flowers.tgz"
    entry = catalog.flowers17_entry(url=url)
    started = time.monotonic()

    with pytest.raises(download.DatasetDownloadError) as caught:
        catalog.resolve_dataset(entry, datasets_root=root, verbose=False)

    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert str(root / "flowers17") in message
    assert url in message
    assert "--dataset synthetic-flowers17" in message
    assert str(root / "downloads" / "17flowers.tgz") in message  # where a hand copy goes
    assert caught.value.url == url and caught.value.destination == str(root / "flowers17")
    assert _all_files(root) == []


def test_download_false_without_an_archive_says_so(tmp_path):
    entry = catalog.flowers17_entry(url="http://127.0.0.1:9/17flowers.tgz")

    with pytest.raises(download.DatasetDownloadError, match=r"download=False"):
        catalog.resolve_dataset(entry, datasets_root=tmp_path / "datasets", download=False, verbose=False)


def test_path_traversal_member_refuses_the_whole_archive(server, tmp_path):
    served, base_url = server
    evil = tarfile.TarInfo("../evil")
    evil.size = 4
    sha256 = _make_flowers_tarball(served / "17flowers.tgz", extra_members=[(evil, io.BytesIO(b"evil"))])
    root = tmp_path / "datasets"
    entry = catalog.flowers17_entry(url=f"{base_url}/17flowers.tgz", sha256=sha256, images_per_class=IMAGES_PER_CLASS)

    with pytest.raises(download.DatasetDownloadError) as caught:
        catalog.resolve_dataset(entry, datasets_root=root, verbose=False)

    assert isinstance(caught.value.__cause__, download.UnsafeArchiveError)
    assert "../evil" in str(caught.value)
    assert not (root / "evil").exists() and not (tmp_path / "evil").exists()
    assert not (root / "flowers17").exists()
    assert not _partials(root)


def test_an_interrupted_build_leaves_nothing_and_a_rerun_starts_clean(server, tmp_path):
    served, base_url = server
    sha256 = _make_flowers_tarball(served / "17flowers.tgz")
    root = tmp_path / "datasets"
    url = f"{base_url}/17flowers.tgz"
    # 3 images per class expects 51 images; the archive has 34, so arranging fails half-way.
    wrong = catalog.flowers17_entry(url=url, sha256=sha256, images_per_class=3)
    with pytest.raises(download.DatasetDownloadError, match=r"Expected exactly 51 images"):
        catalog.resolve_dataset(wrong, datasets_root=root, verbose=False)
    assert not (root / "flowers17").exists() and not _partials(root)
    # A process killed mid-build leaves its temporary folder; the next run removes it.
    stale = root / ".flowers17.partial-999999999-abcd"
    (stale / "Daffodil").mkdir(parents=True)

    right = catalog.flowers17_entry(url=url, sha256=sha256, images_per_class=IMAGES_PER_CLASS)
    folder = catalog.resolve_dataset(right, datasets_root=root, verbose=False)

    assert len(list(folder.iterdir())) == 17
    assert not stale.exists()


# --- Dogs vs. Cats: size check, recorded sha256, Thumbs.db ----------------------------------


def _make_pets_zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("PetImages/Cat/0.jpg", _jpeg_bytes(10))
        archive.writestr("PetImages/Cat/1.jpg", _jpeg_bytes(20))
        archive.writestr("PetImages/Cat/Thumbs.db", b"windows thumbnail cache")
        archive.writestr("PetImages/Dog/0.jpg", _jpeg_bytes(30))
        archive.writestr("PetImages/Dog/666.jpg", b"")  # corrupt: kept for the readers to skip
    return path.stat().st_size


def test_dogs_vs_cats_checks_size_records_sha256_and_skips_thumbs_db(server, tmp_path):
    served, base_url = server
    size = _make_pets_zip(served / "pets.zip")
    root = tmp_path / "datasets"
    entry = catalog.dogs_vs_cats_entry(url=f"{base_url}/pets.zip", size=size)

    folder = catalog.resolve_dataset(entry, datasets_root=root, verbose=False)

    assert folder == root / "dogs-vs-cats"
    assert sorted(path.name for path in (folder / "cat").iterdir()) == ["0.jpg", "1.jpg"]
    assert sorted(path.name for path in (folder / "dog").iterdir()) == ["0.jpg", "666.jpg"]
    record = json.loads((root / "downloads" / "pets.zip.json").read_text(encoding="utf-8"))
    assert record["sha256"] == _sha256(served / "pets.zip") and record["size"] == size
    assert record["published_checksum"] is False


def test_dogs_vs_cats_wrong_size_is_refused(server, tmp_path):
    served, base_url = server
    size = _make_pets_zip(served / "pets.zip")
    root = tmp_path / "datasets"
    entry = catalog.dogs_vs_cats_entry(url=f"{base_url}/pets.zip", size=size + 1)

    with pytest.raises(download.DatasetDownloadError, match=r"expected"):
        catalog.resolve_dataset(entry, datasets_root=root, verbose=False)
    assert _all_files(root) == []


def test_dogs_vs_cats_later_copies_are_checked_against_the_recorded_sha256(server, tmp_path):
    served, base_url = server
    size = _make_pets_zip(served / "pets.zip")
    root = tmp_path / "datasets"
    entry = catalog.dogs_vs_cats_entry(url=f"{base_url}/pets.zip", size=size)
    catalog.resolve_dataset(entry, datasets_root=root, verbose=False)
    # Same size, different bytes: the mirror (or the local copy) changed since it was recorded.
    archive = root / "downloads" / "pets.zip"
    corrupted = bytearray(archive.read_bytes())
    corrupted[-30] ^= 0xFF
    archive.write_bytes(bytes(corrupted))
    shutil.rmtree(root / "dogs-vs-cats")

    with pytest.raises(download.DatasetDownloadError) as caught:
        catalog.resolve_dataset(entry, datasets_root=root, verbose=False)
    assert isinstance(caught.value.__cause__, download.ChecksumMismatchError)


# --- download_file and extract_archive on their own -----------------------------------------


def test_download_file_verifies_md5_and_reuses_a_verified_file(server, tmp_path):
    served, base_url = server
    (served / "data.bin").write_bytes(b"payload" * 1000)
    md5 = hashlib.md5(b"payload" * 1000).hexdigest()
    destination = tmp_path / "out" / "data.bin"

    assert download.download_file(f"{base_url}/data.bin", destination, md5=md5, verbose=False) == destination
    assert destination.read_bytes() == b"payload" * 1000
    # Already there and valid: no request is made (the URL is now unreachable).
    unreachable = f"http://127.0.0.1:{_closed_port()}/data.bin"
    assert download.download_file(unreachable, destination, md5=md5, verbose=False) == destination


def test_download_file_with_a_progress_bar(server, tmp_path, capsys):
    served, base_url = server
    (served / "data.bin").write_bytes(os.urandom(3000))

    download.download_file(f"{base_url}/data.bin", tmp_path / "data.bin", size=3000, verbose=True)

    assert (tmp_path / "data.bin").stat().st_size == 3000


def test_a_dropped_connection_leaves_no_file(server, tmp_path):
    _, base_url = server
    destination = tmp_path / "out" / "truncated.bin"

    with pytest.raises(download.DatasetDownloadError, match=r"(10 of 1,000 bytes|transfer failed)") as caught:
        download.download_file(f"{base_url}/truncated.bin", destination, verbose=False)

    assert str(destination) in str(caught.value) and "truncated.bin" in caught.value.url
    assert os.listdir(tmp_path / "out") == []


def test_http_404_names_the_url(server, tmp_path):
    _, base_url = server

    with pytest.raises(download.DatasetDownloadError, match=r"HTTP error 404") as caught:
        download.download_file(f"{base_url}/missing.tgz", tmp_path / "missing.tgz", verbose=False)
    assert f"{base_url}/missing.tgz" in str(caught.value)
    assert not (tmp_path / "missing.tgz").exists()


def test_a_bad_file_already_under_the_final_name_is_refused_not_overwritten(tmp_path):
    destination = tmp_path / "archive.tgz"
    destination.write_bytes(b"hand-made copy")

    with pytest.raises(download.ChecksumMismatchError, match=r"sha256"):
        download.download_file("http://127.0.0.1:9/archive.tgz", destination, sha256="1" * 64, verbose=False)
    assert destination.read_bytes() == b"hand-made copy"


def _tar_with(path, member, data=b""):
    with tarfile.open(path, "w") as archive:
        _add_bytes(archive, "fine/ok.txt", b"ok")
        archive.addfile(member, io.BytesIO(data) if member.isfile() else None)
    return path


def _symlink(name, target):
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    return info


def _hardlink(name, target):
    info = tarfile.TarInfo(name)
    info.type = tarfile.LNKTYPE
    info.linkname = target
    return info


def _file(name, size=1):
    info = tarfile.TarInfo(name)
    info.size = size
    return info


def _device(name):
    info = tarfile.TarInfo(name)
    info.type = tarfile.CHRTYPE
    return info


@pytest.mark.parametrize(
    "member, data",
    [
        (_file("../evil"), b"x"),
        (_file("fine/../../evil"), b"x"),
        (_file("/tmp/absolute-evil"), b"x"),
        (_symlink("fine/link", "../../outside"), b""),
        (_symlink("fine/link", "/etc/passwd"), b""),
        (_hardlink("fine/hard", "../outside"), b""),
        (_device("fine/device"), b""),
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "symlink-out", "symlink-absolute", "hardlink-out", "device"],
)
def test_unsafe_tar_members_are_refused_before_anything_is_written(tmp_path, member, data):
    archive = _tar_with(tmp_path / "bad.tar", member, data)
    output = tmp_path / "nested" / "out"
    output.parent.mkdir()

    with pytest.raises(download.UnsafeArchiveError, match=r"Refusing to extract"):
        download.extract_archive(archive, output, verbose=False)

    assert not output.exists() and os.listdir(output.parent) == []
    assert not (tmp_path / "evil").exists() and not (tmp_path / "outside").exists()


def test_safe_links_inside_the_archive_are_allowed(tmp_path):
    archive = _tar_with(tmp_path / "good.tar", _symlink("fine/link", "ok.txt"))

    output = download.extract_archive(archive, tmp_path / "out", verbose=False)

    assert (output / "fine" / "link").read_bytes() == b"ok"


@pytest.mark.parametrize("name", ["../evil.txt", "/abs/evil.txt", "a/../../evil.txt", "C:/evil.txt"])
def test_unsafe_zip_members_are_refused(tmp_path, name):
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("fine.txt", b"ok")
        archive.writestr(zipfile.ZipInfo(name), b"evil")

    with pytest.raises(download.UnsafeArchiveError):
        download.extract_archive(path, tmp_path / "out", verbose=False)
    assert not (tmp_path / "out").exists() and not (tmp_path / "evil.txt").exists()


def test_zip_symlink_pointing_outside_is_refused(tmp_path):
    path = tmp_path / "link.zip"
    link = zipfile.ZipInfo("dir/link")
    link.external_attr = (0o120777 << 16)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(link, "../../outside")

    with pytest.raises(download.UnsafeArchiveError, match=r"link"):
        download.extract_archive(path, tmp_path / "out", verbose=False)


def test_extract_archive_rejects_non_archives_and_existing_folders(tmp_path):
    not_archive = tmp_path / "plain.tgz"
    not_archive.write_bytes(b"hello")
    with pytest.raises(download.DatasetDownloadError, match=r"neither a tar nor a zip"):
        download.extract_archive(not_archive, tmp_path / "out", verbose=False)
    assert not (tmp_path / "out").exists()
    (tmp_path / "exists").mkdir()
    with pytest.raises(ValueError, match=r"Received: output_dir="):
        download.extract_archive(not_archive, tmp_path / "exists", verbose=False)


@pytest.mark.parametrize(
    "arguments, pattern",
    [
        ({"url": "www.example.com/file"}, r"Received: url="),
        ({"sha256": "abc"}, r"Received: sha256="),
        ({"md5": "z" * 32}, r"Received: md5="),
        ({"size": -1}, r"Received: size="),
        ({"timeout": 0}, r"Received: timeout="),
    ],
)
def test_download_file_validates_arguments(tmp_path, arguments, pattern):
    call = {"url": "http://127.0.0.1:9/file", "destination": tmp_path / "file"}
    call.update(arguments)
    with pytest.raises(ValueError, match=pattern):
        download.download_file(**call, verbose=False)


def test_hash_file_matches_hashlib(tmp_path):
    path = tmp_path / "data"
    path.write_bytes(b"abc" * 100)
    assert download.hash_file(path) == hashlib.sha256(b"abc" * 100).hexdigest()
    assert download.hash_file(path, "md5") == hashlib.md5(b"abc" * 100).hexdigest()
    with pytest.raises(ValueError, match=r"Received: algorithm="):
        download.hash_file(path, "sha1")


def test_a_hanging_name_lookup_is_cut_off_by_the_timeout(tmp_path, monkeypatch):
    # urlopen's timeout does not cover DNS; a resolver that never answers must not hang us.
    def hanging_lookup(*arguments, **keywords):
        time.sleep(3)
        raise socket.gaierror("too late")

    monkeypatch.setattr(socket, "getaddrinfo", hanging_lookup)
    for variable in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(variable, raising=False)
    started = time.monotonic()

    with pytest.raises(download.DatasetDownloadError, match=r"took longer than 0.5 s"):
        download.download_file("http://dataset-host.invalid/a.tgz", tmp_path / "a.tgz", size=1, timeout=0.5,
                               verbose=False)
    assert time.monotonic() - started < 2.5
    assert not (tmp_path / "a.tgz").exists()
