"""Annotation CSVs: every bad row named by file and line, unreadable images skipped, the split kept."""

import json

import cv2
import numpy as np
import pytest

from pyimagesearch.datasets import boxannotations
from pyimagesearch.utils import errors


@pytest.fixture
def image_folder(tmp_path):
    """Four 40x30 JPEGs in images/, and the CSV writer for them."""
    (tmp_path / "images").mkdir()
    for number in range(4):
        image = np.full((30, 40, 3), 60 * number, np.uint8)
        cv2.imwrite(str(tmp_path / "images" / f"{number}.jpg"), image)
    return tmp_path


def write_csv(folder, *rows):
    path = folder / "boxes.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_rows_with_and_without_a_header(image_folder):
    plain = write_csv(image_folder, "images/0.jpg,1,2,30,20", "", "images/1.jpg,0,0,40,30")
    annotations = boxannotations.read_annotations(plain)
    assert annotations == [
        boxannotations.Annotation("images/0.jpg", (1.0, 2.0, 30.0, 20.0), 1),
        boxannotations.Annotation("images/1.jpg", (0.0, 0.0, 40.0, 30.0), 3),
    ]
    header = "\ufefffilename,start_x,start_y,end_x,end_y"  # with a spreadsheet's byte-order mark
    with_header = write_csv(image_folder, header, "images/0.jpg,1,2,30,20")
    assert boxannotations.read_annotations(with_header)[0].line == 2


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("images/1.jpg,1,2,30", "expected 5 columns"),
        ("images/1.jpg,1,two,30,20", "start_y must be a finite number of pixels, not 'two'"),
        ("images/1.jpg,1,2,nan,20", "end_x must be a finite number"),
        ("images/1.jpg,10,2,10,20", "the box is empty"),
        ("images/1.jpg,-1,2,30,20", "starts outside the image"),
        ("images/0.jpg,1,2,30,20", "already has a box on line 1"),
        ("images/missing.jpg,1,2,30,20", "missing.jpg does not exist"),
        (",1,2,30,20", "the file name is empty"),
    ],
)
def test_a_bad_row_is_an_error_naming_the_file_and_line(image_folder, row, reason):
    path = write_csv(image_folder, "images/0.jpg,1,2,30,20", row)
    with pytest.raises(errors.InvalidFileError) as caught:
        boxannotations.read_annotations(path)
    assert str(caught.value).startswith(f"{path}, line 2: ")
    assert reason in str(caught.value)


def test_an_empty_csv_is_refused(image_folder):
    with pytest.raises(errors.InvalidFileError, match="has no rows"):
        boxannotations.read_annotations(write_csv(image_folder, "filename,start_x,start_y,end_x,end_y"))


def test_split_is_seeded_and_disjoint(image_folder):
    rows = [f"images/{number}.jpg,1,2,30,20" for number in range(4)]
    csv_path = write_csv(image_folder, *rows)
    annotations = boxannotations.read_annotations(csv_path)
    split = boxannotations.split_annotations(annotations, csv_path, test_size=0.25, seed=3)
    assert split == boxannotations.split_annotations(annotations, csv_path, test_size=0.25, seed=3)
    names = [entry["filename"] for part in ("train", "test") for entry in split[part]]
    assert sorted(names) == [f"images/{number}.jpg" for number in range(4)] and len(split["test"]) == 1
    assert split["root"] == str(image_folder.resolve())
    boxannotations.save_split(split, image_folder / "split.json")
    assert boxannotations.load_split(image_folder / "split.json") == json.loads(json.dumps(split))


def test_load_part_scales_boxes_and_skips_unreadable_images(image_folder):
    (image_folder / "images" / "3.jpg").write_bytes(b"not a JPEG")
    csv_path = write_csv(image_folder, "images/0.jpg,4,3,20,30", "images/3.jpg,1,1,2,2")
    split = boxannotations.split_annotations(boxannotations.read_annotations(csv_path), csv_path, 0.5, seed=0)
    split["train"] = split["train"] + split["test"]
    images, scaled, skipped = boxannotations.load_part(split, "train", image_size=16, verbose=False)
    assert images.shape == (1, 16, 16, 3) and images.dtype == np.uint8
    np.testing.assert_allclose(scaled, [[0.1, 0.1, 0.5, 1.0]], rtol=1e-6)  # 40x30 image
    assert [path for path, _ in skipped] == [str(image_folder.resolve() / "images" / "3.jpg")]


def test_a_box_outside_its_image_names_the_csv_line(image_folder):
    csv_path = write_csv(image_folder, "images/0.jpg,1,2,30,20", "images/1.jpg,1,2,41,20")
    split = boxannotations.split_annotations(boxannotations.read_annotations(csv_path), csv_path, 0.5, seed=0)
    split["train"], split["test"] = split["train"] + split["test"], []
    with pytest.raises(errors.InvalidFileError, match=r"boxes.csv, line 2: the box .* outside the 40x30 image"):
        boxannotations.load_part(split, "train", image_size=16, verbose=False)


def test_resolve_takes_a_csv_or_its_folder(image_folder):
    csv_path = write_csv(image_folder, "images/0.jpg,1,2,30,20")
    assert boxannotations.resolve_annotations(str(csv_path)) == csv_path.resolve()
    with pytest.raises(errors.MissingFileError, match="has no annotations.csv"):
        boxannotations.resolve_annotations(image_folder)
    csv_path.rename(image_folder / "annotations.csv")
    assert boxannotations.resolve_annotations(image_folder) == (image_folder / "annotations.csv").resolve()
    with pytest.raises(ValueError, match="neither an annotation CSV"):
        boxannotations.resolve_annotations(image_folder / "nothing.csv")


def test_a_split_file_that_is_not_one_is_refused(tmp_path):
    (tmp_path / "split.json").write_text('{"train": []}')
    with pytest.raises(errors.InvalidFileError, match="must hold 'annotations'"):
        boxannotations.load_split(tmp_path / "split.json")
    with pytest.raises(errors.MissingFileError):
        boxannotations.load_split(tmp_path / "none.json")
