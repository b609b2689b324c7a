"""The synthetic Flowers-17 stand-in: deterministic, the same layout, sizes around 500x375."""

import os

import cv2
import numpy as np
import pytest

from pyimagesearch.datasets import imagefiles
from pyimagesearch.datasets import synthetic


def _file_bytes(folder):
    return {
        os.path.relpath(path, folder): open(path, "rb").read() for path in imagefiles.list_images(folder)
    }


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path):
    first = synthetic.generate_synthetic_flowers17(tmp_path / "a", seed=7, images_per_class=2, verbose=False)
    second = synthetic.generate_synthetic_flowers17(tmp_path / "b", seed=7, images_per_class=2, verbose=False)
    other = synthetic.generate_synthetic_flowers17(tmp_path / "c", seed=8, images_per_class=2, verbose=False)

    assert _file_bytes(first) == _file_bytes(second)
    other_bytes = _file_bytes(other)
    assert other_bytes.keys() == _file_bytes(first).keys()
    assert all(other_bytes[name] != data for name, data in _file_bytes(first).items())


def test_layout_matches_arranged_flowers17(tmp_path):
    folder = synthetic.generate_synthetic_flowers17(tmp_path / "flowers", images_per_class=2, verbose=True)

    classes = sorted(path.name for path in folder.iterdir())
    assert classes == sorted(synthetic.class_names()) and len(classes) == 17
    assert all(name.startswith("synthetic_") for name in classes)
    for class_index, class_name in enumerate(synthetic.class_names()):
        first = class_index * 2 + 1
        names = sorted(path.name for path in (folder / class_name).iterdir())
        assert names == [f"image_{first:04d}.jpg", f"image_{first + 1:04d}.jpg"]
    for path in imagefiles.list_images(folder):
        height, width = imagefiles.read_image(path).shape[:2]
        assert 330 <= min(height, width) <= 420 and 440 <= max(height, width) <= 560
    assert [name for name in os.listdir(tmp_path) if name.startswith(".")] == []


def test_two_workers_draw_the_same_bytes_as_one(tmp_path):
    serial = synthetic.generate_synthetic_flowers17(tmp_path / "one", images_per_class=1, verbose=False)
    parallel = synthetic.generate_synthetic_flowers17(tmp_path / "two", images_per_class=1, workers=2, verbose=False)

    assert _file_bytes(serial) == _file_bytes(parallel)


def test_difficulty_changes_the_images_and_zero_is_cleaner():
    easy = synthetic.draw_flower_image(42, 3, 0, difficulty=0.0)
    hard = synthetic.draw_flower_image(42, 3, 0, difficulty=1.5)
    assert easy.dtype == np.uint8 and easy.ndim == 3 and easy.shape[2] == 3
    # High difficulty adds sensor noise: neighbouring pixels differ more.
    def roughness(image):
        return float(np.abs(np.diff(image.astype(np.int16), axis=1)).mean())

    assert roughness(hard) > roughness(easy)


def test_classes_differ_by_colour_where_designed():
    # Class means over a few images: the yellow and the violet classes must be far apart.
    def mean_colour(class_index):
        images = [synthetic.draw_flower_image(1, class_index, index, difficulty=0.0) for index in range(3)]
        return np.mean([cv2.resize(image, (32, 32)).reshape(-1, 3).mean(axis=0) for image in images], axis=0)

    names = synthetic.class_names()
    yellow = mean_colour(names.index("synthetic_yellow_round5"))
    violet = mean_colour(names.index("synthetic_violet_oval6"))
    assert not np.allclose(yellow, violet, atol=3)


@pytest.mark.parametrize(
    "arguments, pattern",
    [
        ({"seed": -1}, r"Received: seed="),
        ({"images_per_class": 0}, r"Received: images_per_class="),
        ({"difficulty": 3.0}, r"Received: difficulty="),
        ({"workers": 0}, r"Received: workers="),
    ],
)
def test_invalid_arguments_raise_value_error(tmp_path, arguments, pattern):
    with pytest.raises(ValueError, match=pattern):
        synthetic.generate_synthetic_flowers17(tmp_path / "out", verbose=False, **arguments)


def test_a_non_empty_output_folder_is_refused(tmp_path):
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")

    with pytest.raises(ValueError, match=r"Received: output_dir="):
        synthetic.generate_synthetic_flowers17(tmp_path, images_per_class=1, verbose=False)
