"""Images with one bounding box each, from an annotation CSV: read, split, load.

    csv_path = resolve_annotations("synthetic-boxes")          # or "path/to/annotations.csv", or its folder
    annotations = read_annotations(csv_path)                    # one Annotation per row, checked
    split = split_annotations(annotations, csv_path, test_size=0.2, seed=42)
    save_split(split, run_dir / "split.json")
    images, boxes, skipped = load_part(split, "test", image_size=64)

The CSV has one row per image, `filename,start_x,start_y,end_x,end_y` (the object's corners
in pixels, as in PyImageSearch's bounding-box regression tutorial), and an optional header
line with exactly those names. File names are relative to the CSV's folder.

A row that can't be right is an error naming the CSV file and line: a wrong number of
columns, a corner that is not a finite number, an end not after its start, a negative
corner, a second row for the same image, a file that does not exist, and (found when the
image is decoded) a box that reaches outside the image. An image file that exists but
can't be decoded is skipped and counted, as everywhere in the package (`imagefiles`).
"""

import csv
import dataclasses
import io
import json
import math
import os
import pathlib

import cv2
import numpy as np
import progressbar
from sklearn import model_selection

from pyimagesearch.datasets import imagefiles, syntheticboxes
from pyimagesearch.nn import boxes as boxes_module
from pyimagesearch.utils import atomic, errors, validation

COLUMNS = ("filename", "start_x", "start_y", "end_x", "end_y")
# A folder given as the dataset is read through this file in it.
ANNOTATIONS_FILE = syntheticboxes.ANNOTATIONS_FILE
SPLIT_PARTS = ("train", "test")


@dataclasses.dataclass(frozen=True)
class Annotation:
    """One CSV row: the image file (relative to the CSV's folder), its box in pixels and the
    row's line number in the CSV, kept so later errors can still name it."""

    filename: str
    box: tuple
    line: int


def resolve_annotations(name_or_path, datasets_root=None, verbose=True):
    """The annotation CSV (an absolute pathlib.Path) for a dataset name, CSV file or folder.

    - "synthetic-boxes" or "synthetic-boxes-<images>": the generated set, made on first use
      in the datasets root (see `syntheticboxes.resolve_synthetic_boxes`);
    - an existing CSV file;
    - a folder holding `annotations.csv`.
    """
    if syntheticboxes.is_synthetic_name(name_or_path):
        folder = syntheticboxes.resolve_synthetic_boxes(name_or_path, datasets_root, verbose=verbose)
        return (folder / ANNOTATIONS_FILE).resolve()
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise errors.InvalidArgumentError(f"Expected a dataset name or a path. Received: {name_or_path!r}")
    path = pathlib.Path(name_or_path)
    if path.is_dir():
        path = path / ANNOTATIONS_FILE
        if not path.is_file():
            raise errors.MissingFileError(
                f"The folder {path.parent} has no {ANNOTATIONS_FILE}; give the annotation CSV itself. "
                f"Received: {str(name_or_path)!r}"
            )
    elif not path.is_file():
        raise errors.InvalidArgumentError(
            f"{str(name_or_path)!r} is neither an annotation CSV, a folder holding {ANNOTATIONS_FILE}, nor "
            f"'{syntheticboxes.NAME}' / '{syntheticboxes.NAME}-<images>'. Received: {str(name_or_path)!r}"
        )
    return path.resolve()


def read_annotations(csv_path):
    """Reads and checks every row of the annotation CSV; returns a list of `Annotation`.

    Checks everything that needs no decoding: see the module docstring. The image files
    must exist (a row naming a missing file is an error), but are not opened.
    """
    csv_path = pathlib.Path(csv_path)
    try:
        text = csv_path.read_text(encoding="utf-8-sig")  # -sig: spreadsheet programs add a BOM
    except UnicodeDecodeError as error:
        raise errors.InvalidFileError(f"{csv_path} is not a UTF-8 text file: {error}") from error
    except OSError as error:
        raise errors.MissingFileError(f"Cannot read the annotation CSV {csv_path}: {error.strerror}") from error
    annotations, seen = [], {}
    for line, row in _numbered_rows(text):
        if line == 1 and tuple(cell.strip().lower() for cell in row) == COLUMNS:
            continue  # the optional header
        annotation = _parse_row(csv_path, line, row)
        if annotation.filename in seen:
            raise _row_error(
                csv_path, line, f"{annotation.filename!r} already has a box on line {seen[annotation.filename]}; "
                "this format holds one object per image"
            )
        seen[annotation.filename] = line
        if not (csv_path.parent / annotation.filename).is_file():
            raise _row_error(csv_path, line, f"the image {csv_path.parent / annotation.filename} does not exist")
        annotations.append(annotation)
    if not annotations:
        raise errors.InvalidFileError(f"The annotation CSV {csv_path} has no rows. Expected: {','.join(COLUMNS)} per line")
    return annotations


def _numbered_rows(text):
    """(line number, cells) of every non-blank row; line numbers count from 1, as editors do."""
    for line, raw in enumerate(text.splitlines(), start=1):
        if raw.strip():
            yield line, next(csv.reader(io.StringIO(raw)))


def _parse_row(csv_path, line, row):
    if len(row) != len(COLUMNS):
        raise _row_error(csv_path, line, f"expected {len(COLUMNS)} columns ({','.join(COLUMNS)}), found {len(row)}")
    filename = row[0].strip()
    if not filename:
        raise _row_error(csv_path, line, "the file name is empty")
    corners = []
    for name, cell in zip(COLUMNS[1:], row[1:]):
        try:
            value = float(cell)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise _row_error(csv_path, line, f"{name} must be a finite number of pixels, not {cell.strip()!r}")
        corners.append(value)
    start_x, start_y, end_x, end_y = corners
    if start_x < 0 or start_y < 0:
        raise _row_error(csv_path, line, f"the box starts outside the image (start_x={start_x:g}, start_y={start_y:g})")
    if end_x <= start_x or end_y <= start_y:
        raise _row_error(
            csv_path, line, f"the box is empty: the end must come after the start (x {start_x:g}..{end_x:g}, "
            f"y {start_y:g}..{end_y:g})"
        )
    return Annotation(filename, tuple(corners), line)


def _row_error(csv_path, line, reason):
    return errors.InvalidFileError(f"{errors.display_path(csv_path)}, line {line}: {reason}")


def split_annotations(annotations, csv_path, test_size=0.2, seed=42):
    """Splits the annotations at random (seeded) into a serialisable dict.

    Returns {"annotations": the CSV's absolute path, "root": its folder, "test_size", "seed",
    "train": [...], "test": [...]}, each part a list of {"filename", "box", "line"}, so a run
    folder's split.json names the held-out images and boxes without the CSV.
    """
    validation.check_number("test_size", test_size, minimum=0, maximum=1, include_minimum=False, include_maximum=False)
    validation.check_integer("seed", seed, minimum=0)
    if len(annotations) < 2:
        raise errors.InvalidArgumentError(f"A train/test split needs at least 2 images. Received: {len(annotations)} in {csv_path}")
    train, test = model_selection.train_test_split(list(annotations), test_size=test_size, random_state=seed)
    csv_path = pathlib.Path(csv_path).resolve()
    return {
        "annotations": str(csv_path),
        "root": str(csv_path.parent),
        "test_size": test_size,
        "seed": seed,
        "train": [_as_entry(annotation) for annotation in train],
        "test": [_as_entry(annotation) for annotation in test],
    }


def _as_entry(annotation):
    return {"filename": annotation.filename, "box": list(annotation.box), "line": annotation.line}


def save_split(split, path):
    """Writes the split dict to `path` as JSON, atomically."""
    atomic.write_json_atomic(path, split)


def load_split(path):
    """Reads a split written by `save_split`; a clear error if it is missing or not one."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise errors.MissingFileError(f"No split file at {path}: was the run made by a box regression train.py?")
    try:
        split = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise errors.InvalidFileError(f"The split file {path} is not valid JSON: {error}") from error
    if not isinstance(split, dict) or any(key not in split for key in ("annotations", "root", *SPLIT_PARTS)):
        raise errors.InvalidFileError(
            f"The split file {path} must hold 'annotations', 'root', 'train' and 'test'. Received: "
            f"{sorted(split) if isinstance(split, dict) else type(split).__name__}"
        )
    return split


def load_part(split, part, image_size, verbose=True, max_image_pixels=imagefiles.MAX_IMAGE_PIXELS):
    """Returns (images, boxes, skipped) for the "train" or "test" part of `split`.

    `images` is uint8 BGR (N, image_size, image_size, 3), each image resized to the square
    without keeping its aspect ratio (as the tutorial does), so the box corners scaled by the
    image's own width and height (`boxes`, float32 (N, 4) in [0, 1]) still fit it. `skipped`
    lists the (path, reason) of files that could not be decoded; they are left out. A box
    that reaches outside its image is an error naming the CSV line.
    """
    validation.check_choice("part", part, SPLIT_PARTS)
    image_size = validation.check_image_size("image_size", image_size)
    root, csv_path = pathlib.Path(split["root"]), split["annotations"]
    entries = split[part]
    images, boxes, skipped = [], [], []
    bar = progressbar.ProgressBar(max_value=len(entries), prefix=f"loading {part} images: ") if verbose else None
    for done, entry in enumerate(entries, start=1):
        path = root / entry["filename"]
        try:
            image = imagefiles.read_image(path, max_pixels=max_image_pixels)
        except imagefiles.ImageReadError as error:
            skipped.append((str(path), error.reason))
            continue
        height, width = image.shape[:2]
        _check_inside(csv_path, entry, width, height)
        images.append(resize_to_square(image, image_size))
        boxes.append(boxes_module.scale_boxes(entry["box"], width, height)[0])
        if bar is not None:
            bar.update(done)
    if bar is not None:
        bar.finish()
    if not images:
        first_path, first_reason = skipped[0] if skipped else ("-", "the part is empty")
        raise errors.InvalidArgumentError(
            f"None of the {len(entries)} {part} images of {csv_path} could be read (first: "
            f"{errors.display_path(first_path)}: {first_reason}). Received: {len(skipped)} unreadable files"
        )
    return np.stack(images), np.stack(boxes).astype(np.float32), skipped


def resize_to_square(image, image_size):
    """`image` resized to `image_size` x `image_size`, aspect ratio not kept: scaled corners
    stay valid, where a crop would cut boxes."""
    return cv2.resize(image, (image_size, image_size), interpolation=cv2.INTER_AREA)


def _check_inside(csv_path, entry, width, height):
    _, _, end_x, end_y = entry["box"]
    if end_x > width or end_y > height:
        raise _row_error(
            csv_path, entry["line"],
            f"the box (end_x={end_x:g}, end_y={end_y:g}) reaches outside the {width}x{height} image {entry['filename']}",
        )
