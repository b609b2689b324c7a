"""synthetic-boxes: deterministic, tight boxes inside the images, named sizes, atomic folders."""

import os

import cv2
import numpy as np
import pytest

from pyimagesearch.datasets import boxannotations, catalog, syntheticboxes


def test_the_same_seed_draws_the_same_image_and_another_seed_does_not():
    image, box = syntheticboxes.draw_box_image(7, 3)
    again, same_box = syntheticboxes.draw_box_image(7, 3)
    other, _ = syntheticboxes.draw_box_image(8, 3)
    assert np.array_equal(image, again) and box == same_box
    assert image.shape != other.shape or not np.array_equal(image, other)


def test_the_box_is_the_objects_tight_box_inside_the_image():
    for index in range(20):
        image, (start_x, start_y, end_x, end_y) = syntheticboxes.draw_box_image(42, index)
        height, width = image.shape[:2]
        assert 0 <= start_x < end_x <= width and 0 <= start_y < end_y <= height
        lower, upper = syntheticboxes.OBJECT_FRACTIONS
        assert (lower - 0.02) * width <= end_x - start_x <= upper * width + 1


def test_generated_folder_reads_back_with_the_annotation_reader(tmp_path):
    folder = syntheticboxes.generate_synthetic_boxes(tmp_path / "set", images=6, seed=1, verbose=False)
    annotations = boxannotations.read_annotations(folder / syntheticboxes.ANNOTATIONS_FILE)
    assert [annotation.filename for annotation in annotations] == [
        f"images/synthetic_box_{number:05d}.jpg" for number in range(1, 7)
    ]
    for index, annotation in enumerate(annotations):
        image = cv2.imread(str(folder / annotation.filename))
        drawn, box = syntheticboxes.draw_box_image(1, index)
        assert image.shape == drawn.shape and annotation.box == box
    assert not [name for name in os.listdir(tmp_path) if name != "set"]  # no temporary folder left


def test_a_larger_set_starts_with_the_smaller_one(tmp_path):
    small = syntheticboxes.generate_synthetic_boxes(tmp_path / "small", images=3, verbose=False)
    large = syntheticboxes.generate_synthetic_boxes(tmp_path / "large", images=5, verbose=False)
    small_rows = (small / "annotations.csv").read_text().splitlines()
    assert (large / "annotations.csv").read_text().splitlines()[:4] == small_rows
    name = "images/synthetic_box_00003.jpg"
    assert (small / name).read_bytes() == (large / name).read_bytes()


def test_names_carry_the_number_of_images():
    assert syntheticboxes.images_in_name("synthetic-boxes") == syntheticboxes.DEFAULT_IMAGES
    assert syntheticboxes.images_in_name("synthetic-boxes-250") == 250
    assert not syntheticboxes.is_synthetic_name("synthetic-boxes-")
    for bad in ("synthetic-boxes-0", "synthetic-boxes-x", "flowers17"):
        with pytest.raises(ValueError, match="Received"):
            syntheticboxes.images_in_name(bad)


def test_resolve_generates_once_in_the_catalogs_datasets_root(tmp_path, monkeypatch):
    monkeypatch.setenv(catalog.ENVIRONMENT_VARIABLE, str(tmp_path / "datasets"))
    folder = syntheticboxes.resolve_synthetic_boxes("synthetic-boxes-4", verbose=False)
    assert folder == tmp_path / "datasets" / "synthetic-boxes-4"
    csv_path = folder / "annotations.csv"
    assert len(csv_path.read_text().splitlines()) == 5  # header and 4 rows
    written = csv_path.stat().st_mtime_ns
    assert syntheticboxes.resolve_synthetic_boxes("synthetic-boxes-4", verbose=False) == folder
    assert csv_path.stat().st_mtime_ns == written


def test_a_folder_not_made_by_the_generator_is_refused(tmp_path):
    (tmp_path / "synthetic-boxes-3").mkdir()
    (tmp_path / "synthetic-boxes-3" / "stray.txt").write_text("x")
    with pytest.raises(ValueError, match="has no annotations.csv"):
        syntheticboxes.resolve_synthetic_boxes("synthetic-boxes-3", tmp_path, verbose=False)


def test_an_interrupted_generation_leaves_nothing(tmp_path, monkeypatch):
    calls = []

    def failing_draw(seed, index):
        calls.append(index)
        if index == 2:
            raise KeyboardInterrupt
        return original(seed, index)

    original = syntheticboxes.draw_box_image
    monkeypatch.setattr(syntheticboxes, "draw_box_image", failing_draw)
    with pytest.raises(KeyboardInterrupt):
        syntheticboxes.resolve_synthetic_boxes("synthetic-boxes-5", tmp_path, verbose=False)
    assert calls == [0, 1, 2] and list(tmp_path.iterdir()) == []


def test_a_folder_with_another_number_of_images_is_refused(tmp_path):
    syntheticboxes.generate_synthetic_boxes(tmp_path / "synthetic-boxes-3", images=2, verbose=False)
    with pytest.raises(ValueError, match="holds 2 images, but 'synthetic-boxes-3' means 3"):
        syntheticboxes.resolve_synthetic_boxes("synthetic-boxes-3", tmp_path, verbose=False)
