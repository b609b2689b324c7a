"""SimpleDatasetLoader: labels from folders, preprocessors in order, bad files skipped and counted."""

import logging
import warnings

import cv2
import numpy as np
import pytest

from pyimagesearch.datasets import imagefiles
from pyimagesearch.datasets.simpledatasetloader import SimpleDatasetLoader
from tests import imagetesting


class ResizeTo:
    def __init__(self, size):
        self.size = size

    def preprocess(self, image):
        return cv2.resize(image, (self.size, self.size), interpolation=cv2.INTER_AREA)


class Recorder:
    """Appends its name to a shared log and the image's shape, to check the order of calls."""

    def __init__(self, name, log):
        self.name = name
        self.log = log

    def preprocess(self, image):
        self.log.append((self.name, image.shape))
        return image


def _write_images(root, layout):
    """layout: {class_name: [(file_name, array), ...]} -> list of str paths, sorted."""
    for class_name, files in layout.items():
        (root / class_name).mkdir(parents=True, exist_ok=True)
        for file_name, array in files:
            assert cv2.imwrite(str(root / class_name / file_name), array)
    return imagefiles.list_images(root)


def _solid(height, width, value, channels=3):
    shape = (height, width, channels) if channels else (height, width)
    return np.full(shape, value, np.uint8)


def _add_corrupt_files(folder):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "text.jpg").write_text("not an image", encoding="utf-8")
    ok, encoded = cv2.imencode(".jpg", np.random.default_rng(0).integers(0, 255, (48, 48, 3), dtype=np.uint8))
    (folder / "truncated.jpg").write_bytes(encoded.tobytes()[: len(encoded) // 2])


def test_labels_come_from_parent_folders(tmp_path):
    paths = _write_images(tmp_path, {
        "cat": [("a.png", _solid(8, 8, 10)), ("b.png", _solid(8, 8, 20))],
        "dog": [("c.png", _solid(8, 8, 30))],
    })

    data, labels = SimpleDatasetLoader().load(paths, verbose=False)

    assert data.shape == (3, 8, 8, 3) and data.dtype == np.uint8
    assert labels.tolist() == ["cat", "cat", "dog"]
    assert data[2, 0, 0].tolist() == [30, 30, 30]


def test_preprocessors_run_in_order(tmp_path):
    paths = _write_images(tmp_path, {"only": [("a.png", _solid(20, 30, 5))]})
    log = []
    loader = SimpleDatasetLoader(preprocessors=[Recorder("first", log), ResizeTo(4), Recorder("last", log)])

    data, _ = loader.load(paths, verbose=False)

    assert log == [("first", (20, 30, 3)), ("last", (4, 4, 3))]
    assert data.shape == (1, 4, 4, 3)


def test_corrupt_files_are_skipped_counted_in_one_info_line_not_a_warning(tmp_path, capsys):
    paths = _write_images(tmp_path, {"good": [("a.png", _solid(8, 8, 1)), ("b.jpg", _solid(8, 8, 2))]})
    _add_corrupt_files(tmp_path / "bad")
    paths = imagefiles.list_images(tmp_path)
    assert len(paths) == 5
    loader = SimpleDatasetLoader(preprocessors=[ResizeTo(8)])

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no Python warning any more
        data, labels = loader.load(paths, verbose=False)
    printed = capsys.readouterr().out
    first = tmp_path / "bad" / "empty.jpg"
    assert printed == f"[INFO] skipped 3 of 5 images (first: {first}: the file is empty (0 bytes))\n"

    assert data.shape == (2, 8, 8, 3)
    assert labels.tolist() == ["good", "good"]
    skipped = dict(loader.skipped)
    assert sorted(skipped) == sorted(str(tmp_path / "bad" / name) for name in ("empty.jpg", "text.jpg", "truncated.jpg"))
    assert "empty" in skipped[str(tmp_path / "bad" / "empty.jpg")]
    assert "truncated" in skipped[str(tmp_path / "bad" / "truncated.jpg")]


def test_each_skipped_file_is_logged_with_its_reason(tmp_path, caplog):
    _write_images(tmp_path, {"good": [("a.png", _solid(8, 8, 1))]})
    (tmp_path / "good" / "empty.jpg").write_bytes(b"")

    with caplog.at_level(logging.INFO, logger="pyimagesearch.datasets.simpledatasetloader"):
        SimpleDatasetLoader().load(imagefiles.list_images(tmp_path), verbose=False)

    messages = [record.getMessage() for record in caplog.records]
    assert any("empty.jpg" in message and "empty" in message for message in messages)


def test_skipped_is_reset_by_each_load(tmp_path):
    _write_images(tmp_path, {"good": [("a.png", _solid(8, 8, 1))]})
    (tmp_path / "good" / "empty.jpg").write_bytes(b"")
    loader = SimpleDatasetLoader()
    loader.load(imagefiles.list_images(tmp_path), verbose=False)
    assert len(loader.skipped) == 1

    loader.load([str(tmp_path / "good" / "a.png")], verbose=False)

    assert loader.skipped == []


def test_all_unreadable_raises_with_the_count(tmp_path):
    _add_corrupt_files(tmp_path / "bad")

    with pytest.raises(ValueError, match=r"None of the 3 images could be read.*Received:"):
        SimpleDatasetLoader().load(imagefiles.list_images(tmp_path), verbose=False)


def test_grayscale_png_and_odd_sizes_are_handled(tmp_path):
    paths = _write_images(tmp_path, {
        "a": [("gray.png", _solid(7, 13, 77, channels=0)), ("rgb.jpg", _solid(31, 5, 200))],
        "b": [("alpha.png", np.dstack([_solid(9, 9, 0), _solid(9, 9, 0, channels=0)]))],
    })

    data, labels = SimpleDatasetLoader(preprocessors=[ResizeTo(6)]).load(paths, verbose=False)

    assert data.shape == (3, 6, 6, 3)
    assert data[0, 3, 3].tolist() == [77, 77, 77]
    assert data[2, 3, 3].tolist() == [255, 255, 255]  # transparent -> white


def test_different_shapes_without_resizing_raise_a_clear_error(tmp_path):
    paths = _write_images(tmp_path, {"a": [("small.png", _solid(4, 4, 1)), ("big.png", _solid(8, 8, 1))]})

    with pytest.raises(ValueError, match=r"different shapes.*Received: 2 shapes"):
        SimpleDatasetLoader().load(paths, verbose=False)


def test_target_size_is_passed_as_a_decoding_hint(tmp_path):
    paths = _write_images(tmp_path, {"a": [("large.jpg", _solid(400, 400, 120))]})

    data, _ = SimpleDatasetLoader(target_size=(50, 50)).load(paths, verbose=False)

    assert data.shape == (1, 50, 50, 3)  # decoded at 1/8 size, still at least the target


def test_course_style_integer_verbose_prints_progress(tmp_path, capsys):
    paths = _write_images(tmp_path, {"a": [(f"{index}.png", _solid(4, 4, index)) for index in range(4)]})

    SimpleDatasetLoader().load(paths, verbose=2)

    assert capsys.readouterr().out.splitlines() == ["[INFO] processed 2/4", "[INFO] processed 4/4"]


def test_progress_bar_verbose_loads_the_same(tmp_path):
    paths = _write_images(tmp_path, {"a": [(f"{index}.png", _solid(4, 4, index)) for index in range(3)]})

    quiet, _ = SimpleDatasetLoader().load(paths, verbose=False)
    shown, _ = SimpleDatasetLoader().load(paths, verbose=True)

    np.testing.assert_array_equal(quiet, shown)


@pytest.mark.parametrize(
    "arguments",
    [
        {"preprocessors": "resize"},
        {"preprocessors": [object()]},
        {"target_size": (0, 10)},
        {"target_size": 64},
    ],
)
def test_invalid_constructor_arguments_raise_value_error(arguments):
    with pytest.raises(ValueError, match=r"Received: "):
        SimpleDatasetLoader(**arguments)


def test_invalid_load_arguments_raise_value_error(tmp_path):
    loader = SimpleDatasetLoader()
    with pytest.raises(ValueError, match=r"Received: image_paths=\[\]"):
        loader.load([], verbose=False)
    with pytest.raises(ValueError, match=r"not one path.*Received: image_paths="):
        loader.load(str(tmp_path), verbose=False)
    with pytest.raises(ValueError, match=r"Received: verbose="):
        loader.load([str(tmp_path / "x.png")], verbose="yes")


def test_report_skipped_false_leaves_the_count_to_the_caller(tmp_path, capsys):
    _write_images(tmp_path, {"good": [("a.png", _solid(8, 8, 1))]})
    (tmp_path / "good" / "empty.jpg").write_bytes(b"")
    loader = SimpleDatasetLoader()
    loader.load(imagefiles.list_images(tmp_path), verbose=False, report_skipped=False)
    assert len(loader.skipped) == 1 and capsys.readouterr().out == ""
    loader.load([str(tmp_path / "good" / "a.png")], verbose=False)
    assert capsys.readouterr().out == ""  # nothing skipped, nothing said


def test_a_name_that_is_not_utf8_is_skipped_with_printable_text(tmp_path, capsys):
    _write_images(tmp_path, {"good": [("a.png", _solid(8, 8, 1))]})
    bad = imagetesting.non_utf8_name(tmp_path / "good")
    with open(bad, "wb") as handle:
        handle.write(b"not an image")
    loader = SimpleDatasetLoader()
    loader.load(imagefiles.list_images(tmp_path), verbose=False)
    assert [path for path, _ in loader.skipped] == [bad]
    printed = capsys.readouterr().out
    printed.encode("utf-8")
    assert "good/bad\\xff\\xfe.jpg: not a decodable image" in printed


def test_max_image_pixels_and_non_regular_files(tmp_path):
    paths = _write_images(tmp_path, {"a": [("big.png", _solid(30, 40, 1)), ("small.png", _solid(8, 8, 2))]})
    (tmp_path / "a" / "folder.jpg").mkdir()
    paths = paths + [str(tmp_path / "a" / "folder.jpg")]
    loader = SimpleDatasetLoader(preprocessors=[ResizeTo(8)], max_image_pixels=1000)
    data, _ = loader.load(paths, verbose=False, report_skipped=False)
    assert len(data) == 1
    reasons = dict(loader.skipped)
    assert reasons[str(tmp_path / "a" / "big.png")].startswith("40x30 is 1,200 pixels, over the limit of 1,000")
    assert reasons[str(tmp_path / "a" / "folder.jpg")] == "not a regular file (a folder)"
    with pytest.raises(ValueError, match=r"Received: max_image_pixels=-1"):
        SimpleDatasetLoader(max_image_pixels=-1)
