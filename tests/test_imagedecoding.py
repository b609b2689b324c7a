"""Decoding for the HDF5 builder: an image or a reason per file, in this process or a worker."""

import multiprocessing

import cv2
import numpy as np
import pytest

from pyimagesearch.io import imagedecoding
from pyimagesearch.preprocessing import SimplePreprocessor


class Add:
    def __init__(self, value):
        self.value = value

    def preprocess(self, image):
        return image + np.uint8(self.value)


class Double:
    def preprocess(self, image):
        return image * np.uint8(2)


class ResizeToNothing:
    """A preprocessor that makes OpenCV raise cv2.error."""

    def preprocess(self, image):
        return cv2.resize(image, (0, 0))


class Buggy:
    def preprocess(self, image):
        raise ZeroDivisionError("a bug, not a bad file")


def write_png(path, value, width=6, height=4):
    image = np.full((height, width, 3), value, dtype=np.uint8)
    image[0, 0] = (1, 2, 3)  # BGR, to show the channel order survives
    cv2.imwrite(str(path), image)
    return image


@pytest.fixture
def worker_state(monkeypatch):
    """Isolates the module's per-process settings and OpenCV's thread count for one test."""
    monkeypatch.setattr(imagedecoding, "_worker_state", {})
    threads = cv2.getNumThreads()
    yield
    cv2.setNumThreads(threads)


def test_decode_returns_the_image_and_no_reason(tmp_path):
    expected = write_png(tmp_path / "a.png", 50)

    image, reason = imagedecoding.decode(str(tmp_path / "a.png"), None, [])

    assert reason is None
    assert image.dtype == np.uint8
    np.testing.assert_array_equal(image, expected)


def test_decode_applies_the_preprocessors_in_order(tmp_path):
    write_png(tmp_path / "a.png", 10)

    add_then_double, _ = imagedecoding.decode(tmp_path / "a.png", None, [Add(1), Double()])
    double_then_add, _ = imagedecoding.decode(tmp_path / "a.png", None, [Double(), Add(1)])
    resized, _ = imagedecoding.decode(tmp_path / "a.png", None, [SimplePreprocessor(3, 2)])

    assert add_then_double[1, 1].tolist() == [22, 22, 22]
    assert double_then_add[1, 1].tolist() == [21, 21, 21]
    assert resized.shape == (2, 3, 3)


def test_decode_passes_the_target_size_on_so_a_large_jpeg_is_decoded_reduced(tmp_path):
    path = tmp_path / "large.jpg"
    cv2.imwrite(str(path), np.full((320, 400, 3), 128, dtype=np.uint8))

    full, _ = imagedecoding.decode(path, None, [])
    reduced, _ = imagedecoding.decode(path, (50, 40), [])

    assert full.shape == (320, 400, 3)
    assert reduced.shape == (40, 50, 3)  # 1/8 of each side still covers the 50x40 target


@pytest.mark.parametrize(
    "name, contents, reason",
    [
        ("empty.jpg", b"", "the file is empty (0 bytes)"),
        ("corrupt.png", b"\x89PNG\r\n\x1a\n garbage", "not a decodable image (unknown format or corrupt data)"),
        ("truncated.jpg", b"\xff\xd8\xff\xe0 no end marker", "the JPEG is truncated (no end-of-image marker)"),
        ("missing.png", None, "the file can't be opened (No such file or directory)"),
    ],
)
def test_decode_returns_a_reason_for_a_bad_file(tmp_path, name, contents, reason):
    path = tmp_path / name
    if contents is not None:
        path.write_bytes(contents)

    assert imagedecoding.decode(path, None, [Double()]) == (None, reason)


def test_decode_returns_a_reason_when_opencv_fails_in_a_preprocessor(tmp_path):
    image = write_png(tmp_path / "a.png", 10)
    with pytest.raises(cv2.error) as expected:
        ResizeToNothing().preprocess(image)
    assert expected.value.err

    result = imagedecoding.decode(tmp_path / "a.png", None, [ResizeToNothing()])

    assert result == (None, f"OpenCV could not process it ({expected.value.err})")


def test_decode_lets_other_errors_through(tmp_path):
    # Only a bad file is the data's fault; a bug in a preprocessor must not be skipped quietly.
    write_png(tmp_path / "a.png", 10)

    with pytest.raises(ZeroDivisionError, match="a bug, not a bad file"):
        imagedecoding.decode(tmp_path / "a.png", None, [Buggy()])


def test_decode_chunk_keeps_the_order_of_the_paths(tmp_path):
    write_png(tmp_path / "a.png", 10)
    write_png(tmp_path / "b.png", 20)
    (tmp_path / "bad.png").write_bytes(b"not an image")
    paths = [tmp_path / "b.png", tmp_path / "bad.png", tmp_path / "a.png"]

    results = imagedecoding.decode_chunk(paths, None, [Add(1)])

    corrupt = "not a decodable image (unknown format or corrupt data)"
    assert [reason for _, reason in results] == [None, corrupt, None]
    assert [int(image[1, 1, 0]) for image, _ in (results[0], results[2])] == [21, 11]
    assert results[1][0] is None


def test_initialize_worker_settings_are_used_by_decode_chunk_in_worker(tmp_path, worker_state):
    path = tmp_path / "large.jpg"
    cv2.imwrite(str(path), np.full((320, 400, 3), 100, dtype=np.uint8))

    imagedecoding.initialize_worker((50, 40), [Add(5)])
    ((image, reason),) = imagedecoding.decode_chunk_in_worker([path])

    assert cv2.getNumThreads() == 1  # the worker processes are the parallelism
    assert reason is None
    assert image.shape == (40, 50, 3)  # the target size reached the decoder
    assert abs(int(image[20, 25, 0]) - 105) <= 1  # and the preprocessor ran (JPEG rounding aside)


def test_a_worker_process_decodes_with_the_settings_it_was_started_with(tmp_path):
    # As the builder runs it: a pool whose initializer receives the settings once.
    for name, value in (("a.png", 10), ("b.png", 20)):
        write_png(tmp_path / name, value, width=12, height=8)
    (tmp_path / "bad.png").write_bytes(b"")
    paths = [str(tmp_path / name) for name in ("a.png", "bad.png", "b.png")]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    settings = (None, [SimplePreprocessor(6, 4)])

    with context.Pool(1, initializer=imagedecoding.initialize_worker, initargs=settings) as pool:
        results = pool.apply(imagedecoding.decode_chunk_in_worker, (paths,))
        worker_threads = pool.apply(cv2.getNumThreads)

    assert worker_threads == 1
    assert [reason for _, reason in results] == [None, "the file is empty (0 bytes)", None]
    assert [image.shape for image, _ in (results[0], results[2])] == [(4, 6, 3), (4, 6, 3)]
    in_this_process = imagedecoding.decode_chunk(paths, *settings)
    for (image, _), (expected, _) in zip(results[::2], in_this_process[::2]):
        np.testing.assert_array_equal(image, expected)
