"""load_split_images: one part of a saved split as uint8 arrays, resized aspect-aware."""

import pathlib

import cv2
import numpy as np
import pytest

from pyimagesearch.datasets import imagefolder
from pyimagesearch.preprocessing.simplepreprocessor import SimplePreprocessor
from tests import imagetesting

# BGR colours, one per class.
COLOURS = {"tulip": (0, 0, 200), "daisy": (0, 200, 0), "iris": (200, 0, 0)}


def banded_image(colour, width=60, height=20):
    """A wide image in `colour` whose outer sixths are white: a centre crop sees no white."""
    image = np.full((height, width, 3), colour, dtype=np.uint8)
    image[:, : width // 6] = 255
    image[:, -(width // 6) :] = 255
    return image


def write_folder(root, per_class=2):
    """Lossless PNGs in class folders; returns a split dict naming them as train.py saves it."""
    split = {"dataset_root": str(root), "class_names": list(COLOURS), "train": [], "test": []}
    for name, colour in COLOURS.items():
        (root / name).mkdir(parents=True)
        for index in range(per_class):
            relative = f"{name}/{name}_{index}.png"
            cv2.imwrite(str(root / relative), banded_image(colour))
            split["train" if index else "test"].append(relative)
    return split


def test_loads_one_part_as_uint8_bgr_squares_labelled_by_the_splits_class_names(tmp_path):
    split = write_folder(tmp_path / "flowers")

    images, labels, skipped = imagefolder.load_split_images(split, "train", 10, verbose=False)

    assert images.shape == (3, 10, 10, 3) and images.dtype == np.uint8
    # The split's class order ("tulip", "daisy", "iris"), not the sorted one.
    assert labels.tolist() == [0, 1, 2] and labels.dtype == np.int64
    assert skipped == []
    for image, label in zip(images, labels):
        np.testing.assert_array_equal(image, np.full((10, 10, 3), list(COLOURS.values())[label]))


def test_resizes_aspect_aware_by_cropping_the_centre(tmp_path):
    split = write_folder(tmp_path / "flowers")

    images, _, _ = imagefolder.load_split_images(split, "test", 8, verbose=False)

    # 60x20 -> 24x8 -> centre 8x8: the white outer sixths (10 pixels each side) are cut off.
    # A plain resize to 8x8 would keep white columns at both edges.
    assert images.shape == (3, 8, 8, 3)
    assert not np.any(images == 255)


def test_given_preprocessors_replace_the_aspect_aware_resize(tmp_path):
    split = write_folder(tmp_path / "flowers")

    images, labels, _ = imagefolder.load_split_images(
        split, "test", 8, verbose=False, preprocessors=[SimplePreprocessor(8, 8, interpolation=cv2.INTER_NEAREST)]
    )
    parts, _ = imagefolder.load_split(split, 8, verbose=False, preprocessors=[SimplePreprocessor(8, 8)])

    # A plain resize squeezes the whole 60x20 image, so the white outer sixths stay at the edges.
    assert images.shape == (3, 8, 8, 3) and labels.tolist() == [0, 1, 2]
    assert np.all(images[:, :, 0] == 255) and np.all(images[:, :, -1] == 255)
    assert parts["train"][0].shape == (3, 8, 8, 3)


def test_preprocessors_that_make_another_size_are_refused(tmp_path):
    split = write_folder(tmp_path / "flowers")

    with pytest.raises(ValueError, match=r"must make \(8, 8, 3\) images.*Received: images of shape \(6, 6, 3\)$"):
        imagefolder.load_split_images(split, "test", 8, verbose=False, preprocessors=[SimplePreprocessor(6, 6)])


def test_each_part_has_only_its_own_images(tmp_path):
    split = write_folder(tmp_path / "flowers", per_class=3)

    train, train_labels, _ = imagefolder.load_split_images(split, "train", 8, verbose=False)
    test, test_labels, _ = imagefolder.load_split_images(split, "test", 8, verbose=False)

    assert len(train) == 6 and len(test) == 3
    assert train_labels.tolist() == [0, 0, 1, 1, 2, 2]
    assert test_labels.tolist() == [0, 1, 2]


def test_unreadable_files_are_skipped_and_reported_with_their_labels_kept_aligned(tmp_path, capsys):
    split = write_folder(tmp_path / "flowers")
    broken = tmp_path / "flowers" / "tulip" / "broken.png"
    broken.write_bytes(b"\x89PNG but not really")
    split["train"].insert(0, "tulip/broken.png")

    images, labels, skipped = imagefolder.load_split_images(split, "train", 10, verbose=False)
    assert capsys.readouterr().out.startswith("[INFO] skipped 1 of 4 images (first: ")

    assert len(images) == 3 and labels.tolist() == [0, 1, 2]
    assert [path for path, _ in skipped] == [str(broken)]
    assert "not a decodable image" in skipped[0][1]


def test_a_part_with_no_readable_image_is_an_error(tmp_path):
    root = tmp_path / "flowers"
    (root / "tulip").mkdir(parents=True)
    (root / "tulip" / "empty.jpg").write_bytes(b"")
    split = {"dataset_root": str(root), "class_names": ["tulip"], "train": ["tulip/empty.jpg"], "test": []}

    with pytest.raises(ValueError, match=r"None of the 1 images could be read .*empty\.jpg: the file is empty"):
        imagefolder.load_split_images(split, "train", 10, verbose=False)


def test_course_style_verbose_prints_progress(tmp_path, capsys):
    split = write_folder(tmp_path / "flowers")

    imagefolder.load_split_images(split, "train", 8, verbose=2)
    assert capsys.readouterr().out == "[INFO] processed 2/3\n"

    imagefolder.load_split_images(split, "train", 8, verbose=False)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("image_size", [7, 0, 8.0, "32", None])
def test_rejects_a_bad_image_size(tmp_path, image_size):
    split = write_folder(tmp_path / "flowers")

    with pytest.raises(ValueError, match=rf"integer >= 8\. Received: image_size={image_size!r}$"):
        imagefolder.load_split_images(split, "train", image_size, verbose=False)


def test_rejects_an_unknown_part(tmp_path):
    split = write_folder(tmp_path / "flowers")

    with pytest.raises(ValueError, match=r"Received: part='validation'$"):
        imagefolder.load_split_images(split, "validation", 8, verbose=False)


def test_a_class_with_no_readable_image_in_a_part_is_an_error_naming_it(tmp_path):
    split = write_folder(tmp_path / "flowers")
    (tmp_path / "flowers" / "lily").mkdir()
    for name in ("0.jpg", "1.jpg"):
        (tmp_path / "flowers" / "lily" / name).write_bytes(b"")
    split["class_names"] = sorted(split["class_names"] + ["lily"])
    split["train"].append("lily/0.jpg")
    split["test"].append("lily/1.jpg")

    with pytest.raises(ValueError, match=r"No image of class 'lily' in the train part could be read "
                                         r"\(first: .*lily/0\.jpg: the file is empty"):
        imagefolder.load_split_images(split, "train", 10, verbose=False)
    # Readable in train but not in test: the report would score lily with a support of 0.
    cv2.imwrite(str(tmp_path / "flowers" / "lily" / "0.png"), banded_image((90, 90, 90)))
    split["train"][-1] = "lily/0.png"
    with pytest.raises(ValueError, match=r"No image of class 'lily' in the test part"):
        imagefolder.load_split(split, 10, verbose=False)


def test_load_split_loads_both_parts_and_record_skipped_writes_the_list(tmp_path, capsys):
    split = write_folder(tmp_path / "flowers")
    bad = imagetesting.non_utf8_name(tmp_path / "flowers" / "tulip")
    with open(bad, "wb") as handle:
        handle.write(b"not an image")
    split["train"].append(str(pathlib.Path(bad).relative_to(tmp_path / "flowers")))
    (tmp_path / "flowers" / "iris" / "empty.png").write_bytes(b"")
    split["test"].append("iris/empty.png")

    parts, skipped = imagefolder.load_split(split, 8, verbose=False)
    assert capsys.readouterr().out == ""  # the caller reports them
    assert len(parts["train"][0]) == 3 and parts["train"][1].tolist() == [0, 1, 2]
    assert len(parts["test"][0]) == 3
    assert [path for path, _ in skipped] == [bad, str(tmp_path / "flowers" / "iris" / "empty.png")]

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    path = imagefolder.record_skipped(run_dir, skipped, 8)
    assert path == run_dir / "skipped.txt"
    lines = path.read_bytes().decode("utf-8").splitlines()
    assert lines[0] == "skipped 2 of 8 images (path<TAB>reason):"
    assert lines[1].endswith("tulip/bad\\xff\\xfe.jpg\tnot a decodable image (unknown format or corrupt data)")
    assert lines[2].endswith("iris/empty.png\tthe file is empty (0 bytes)")
    printed = capsys.readouterr().out
    assert printed.startswith("[INFO] skipped 2 of 8 images (first: ") and printed.count("\n") == 1
    assert f"listed in {path}" in printed

    imagefolder.record_skipped(run_dir, [], 6)
    assert path.read_text(encoding="utf-8") == "skipped 0 of 6 images\n"
    assert capsys.readouterr().out == "[INFO] skipped 0 of 6 images (listed in " + str(path) + ")\n"
