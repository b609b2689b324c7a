import json
import os
import pathlib
import random
import signal
import subprocess
import sys
import time

import cv2
import h5py
import numpy as np
import pytest
from PIL import Image

from pyimagesearch.datasets import imagefiles
from pyimagesearch.io import builder, hdf5format
from tests import imagetesting

# Distinct BGR colours per class, so a stored row tells which class it came from.
COLOURS = {"cat": (40, 60, 200), "dog": (200, 120, 30), "emu": (30, 200, 60)}


def _write_jpeg(path, size=(40, 30), colour=(0, 0, 0), seed=0):
    width, height = size
    noise = np.random.default_rng(seed).integers(-8, 9, (height, width, 3))
    image = np.clip(np.array(colour)[None, None, :] + noise, 0, 255).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), image)


def _class_folders(root, per_class=10, classes=("cat", "dog")):
    for name in classes:
        for index in range(per_class):
            _write_jpeg(root / name / f"{index}.jpg", colour=COLOURS[name], seed=index)
    return root


def _contents(path):
    with h5py.File(path, "r") as database:
        return database["images"][...], database["labels"][...], dict(database.attrs)


def test_builds_stratified_seeded_shuffled_splits_with_the_training_mean(tmp_path):
    paths, labels = imagefiles.list_labelled_images(_class_folders(tmp_path / "images", per_class=20))
    result = builder.build_hdf5_dataset(
        paths, labels, tmp_path / "pets", 8, 8, val_size=0.2, test_size=10, seed=1, workers=2, progress=False
    )
    output = tmp_path / "pets"
    assert sorted(entry.name for entry in output.iterdir()) == [
        "build_report.txt", "pets_mean.json", "test.hdf5", "train.hdf5", "val.hdf5"
    ]
    assert result["counts"] == {"train": 22, "val": 8, "test": 10}
    train_images, train_labels, attributes = _contents(output / "train.hdf5")
    assert train_images.dtype == np.uint8 and train_images.shape == (22, 8, 8, 3)
    # stratified: each class keeps its half in every split
    for split, count in result["counts"].items():
        _, split_labels, _ = _contents(output / f"{split}.hdf5")
        assert np.bincount(split_labels).tolist() == [count // 2, count // 2]
    # shuffled once at write time: not all cats first
    assert train_labels.tolist() != sorted(train_labels.tolist())
    # every stored row matches its label's colour (B channel separates cat and dog)
    blue = train_images[:, 4, 4, 0].astype(int)
    assert np.all((blue > 120) == (train_labels == 1))
    # the training mean, in the JSON file and in every split's attributes
    expected_mean = train_images.reshape(-1, 3).mean(axis=0)
    mean = json.loads((output / "pets_mean.json").read_text())
    assert mean == pytest.approx({"R": expected_mean[2], "G": expected_mean[1], "B": expected_mean[0]})
    for split in ("train", "val", "test"):
        assert hdf5format.read_mean(output / f"{split}.hdf5") == mean
        assert hdf5format.read_dataset_info(output / f"{split}.hdf5")["label_names"] == ["cat", "dog"]
    assert "AspectAwarePreprocessor(height=8" in attributes["preprocessing"]
    assert (output / "build_report.txt").read_text().endswith("Skipped 0 of 40 images.\n")
    assert not [entry for entry in tmp_path.iterdir() if ".partial-" in entry.name]


def test_given_splits_are_written_in_their_order_with_extra_files(tmp_path):
    paths, labels = imagefiles.list_labelled_images(_class_folders(tmp_path / "images", per_class=3))
    integers = [0 if label == "cat" else 1 for label in labels]
    # Rows as given (no split, no shuffle): test holds the first image of each class.
    parts = {"train": (paths[1:3] + paths[4:], integers[1:3] + integers[4:]), "test": ([paths[3], paths[0]], [1, 0])}

    result = builder.build_hdf5_splits(
        parts, ["cat", "dog"], tmp_path / "given", 8, 8, workers=2, progress=False, extra_files={"classes.txt": "cat\ndog\n"}
    )

    assert result["counts"] == {"train": 4, "test": 2} and sorted(result["files"]) == ["test", "train"]
    _, train_labels, _ = _contents(tmp_path / "given" / "train.hdf5")
    test_images, test_labels, _ = _contents(tmp_path / "given" / "test.hdf5")
    assert train_labels.tolist() == [0, 0, 1, 1] and test_labels.tolist() == [1, 0]
    assert test_images[0, 4, 4, 0] > 120 > test_images[1, 4, 4, 0]  # dog's blue first, as given
    assert (tmp_path / "given" / "classes.txt").read_text() == "cat\ndog\n"
    assert result["extra_paths"] == {"classes.txt": tmp_path / "given" / "classes.txt"}


@pytest.mark.parametrize(
    "parts, extra_files, message",
    [
        ({"val": (["a.jpg"], [0])}, None, "a 'train' entry"),
        ({"train": (["a.jpg", "b.jpg"], [0])}, None, "Received: 2 paths, 1 labels"),
        ({"train": (["a.jpg"], [2])}, None, r"outside \[0, 2\)"),
        ({"train": (["a.jpg"], [0])}, {"train.hdf5": "x"}, "new file names"),
        ({"train": (["a.jpg"], [0])}, {"../up.txt": "x"}, "plain file-name stem"),
    ],
)
def test_bad_given_splits_fail_before_any_work(tmp_path, parts, extra_files, message):
    with pytest.raises(ValueError, match=message):
        builder.build_hdf5_splits(parts, ["cat", "dog"], tmp_path / "out", 8, 8, progress=False, extra_files=extra_files)
    assert list(tmp_path.iterdir()) == []


def test_output_is_deterministic_whatever_the_workers(tmp_path):
    paths, labels = imagefiles.list_labelled_images(_class_folders(tmp_path / "images", per_class=12))
    runs = (("one", 0, False), ("threads", 2, False), ("processes", 2, True))
    for name, workers, use_multiprocessing in runs:
        builder.build_hdf5_dataset(
            paths, labels, tmp_path / name, 8, 8, seed=7, workers=workers, use_multiprocessing=use_multiprocessing,
            progress=False,
        )
    # Same rows, labels, names and attributes. (Not always the same bytes: where HDF5 places its
    # own metadata inside the file can vary.)
    for name in ("threads", "processes"):
        for split in ("train", "val", "test"):
            first, other = _contents(tmp_path / "one" / f"{split}.hdf5"), _contents(tmp_path / name / f"{split}.hdf5")
            np.testing.assert_array_equal(first[0], other[0])
            np.testing.assert_array_equal(first[1], other[1])
            assert {key: str(value) for key, value in first[2].items()} == {
                key: str(value) for key, value in other[2].items()
            }
        assert (tmp_path / "one" / "one_mean.json").read_text() == (tmp_path / name / f"{name}_mean.json").read_text()


def test_kaggle_flat_layout_and_integer_split_sizes(tmp_path):
    folder = tmp_path / "train"
    for name in ("cat", "dog"):
        for index in range(6):
            _write_jpeg(folder / f"{name}.{index}.jpg", colour=COLOURS[name], seed=index)
    paths, labels = imagefiles.list_labelled_images(folder)
    assert sorted(set(labels)) == ["cat", "dog"] and len(paths) == 12
    result = builder.build_hdf5_dataset(
        paths, labels, tmp_path / "out", 8, 8, val_size=0, test_size=4, workers=0, progress=False
    )
    assert result["counts"] == {"train": 8, "test": 4}
    assert not (tmp_path / "out" / "val.hdf5").exists()


def _bad_and_odd_corpus(folder):
    """Bad files and odd-but-valid ones; each valid file is its own class so rows can be found.

    The bad files belong to the class "good", which keeps one readable image: a class with
    none is an error (see test_a_class_with_no_readable_image_is_an_error_naming_it).
    """
    folder.mkdir(parents=True)
    good = folder / "good.0.jpg"
    _write_jpeg(good, colour=(128, 128, 128))
    (folder / "good.zero.jpg").write_bytes(b"")
    (folder / "good.truncated.jpg").write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    (folder / "good.text.jpg").write_text("this is not a JPEG\n")
    Image.new("CMYK", (40, 30), (0, 255, 255, 0)).save(folder / "cmyk.0.jpg")  # red
    cv2.imwrite(str(folder / "deep.0.png"), np.full((30, 40, 3), 32768, np.uint16))  # 16-bit mid grey
    alpha = np.zeros((30, 40, 4), np.uint8)
    alpha[..., 2] = 255  # red...
    alpha[:, 20:, 3] = 255  # ...transparent on the left half, opaque on the right
    cv2.imwrite(str(folder / "alpha.0.png"), alpha)
    cv2.imwrite(str(folder / "gray.0.jpg"), np.full((30, 40), 100, np.uint8))
    stored = np.zeros((30, 40, 3), np.uint8)  # RGB: left half red, right half blue
    stored[:, :20] = (255, 0, 0)
    stored[:, 20:] = (0, 0, 255)
    rotated = Image.fromarray(stored)
    exif = rotated.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display: left becomes top
    rotated.save(folder / "rotated.0.jpg", exif=exif.tobytes(), quality=95)


def test_bad_images_are_skipped_and_reported_odd_ones_converted(tmp_path):
    _bad_and_odd_corpus(tmp_path / "corpus")
    paths, labels = imagefiles.list_labelled_images(tmp_path / "corpus")
    result = builder.build_hdf5_dataset(
        paths, labels, tmp_path / "out", 16, 16, val_size=0, test_size=0, resize="stretch", workers=2, progress=False
    )
    skipped = {pathlib.Path(path).name: reason for path, reason in result["skipped"]}
    assert sorted(skipped) == ["good.text.jpg", "good.truncated.jpg", "good.zero.jpg"]
    assert "empty" in skipped["good.zero.jpg"] and "truncated" in skipped["good.truncated.jpg"]
    assert "not a decodable image" in skipped["good.text.jpg"]
    report = (tmp_path / "out" / "build_report.txt").read_text()
    for name, reason in skipped.items():
        assert f"{name}\t{reason}" in report
    assert report.endswith("Skipped 3 of 9 images.\n")

    images, labels_stored, _ = _contents(tmp_path / "out" / "train.hdf5")
    names = hdf5format.read_dataset_info(tmp_path / "out" / "train.hdf5")["label_names"]
    rows = {names[label]: image.astype(int) for image, label in zip(images, labels_stored)}
    assert sorted(rows) == ["alpha", "cmyk", "deep", "good", "gray", "rotated"]
    assert all(row.shape == (16, 16, 3) for row in rows.values())
    blue, green, red = rows["cmyk"][8, 8]
    assert red > 200 and green < 60 and blue < 60
    assert np.all(rows["deep"] == 128)  # 32768 >> 8
    assert np.all(np.abs(rows["gray"] - 100) <= 2)
    np.testing.assert_array_equal(rows["alpha"][8, 2], [255, 255, 255])  # transparent: white
    np.testing.assert_array_equal(rows["alpha"][8, 13], [0, 0, 255])  # opaque red (BGR)
    top, bottom = rows["rotated"][2, 8], rows["rotated"][13, 8]  # orientation applied
    assert top[2] > 200 and top[0] < 60  # red on top
    assert bottom[0] > 200 and bottom[2] < 60  # blue below


def test_refuses_to_overwrite_and_replaces_only_when_asked(tmp_path):
    paths, labels = imagefiles.list_labelled_images(_class_folders(tmp_path / "images", per_class=5))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("precious")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        builder.build_hdf5_dataset(paths, labels, tmp_path / "out", 8, 8, progress=False)
    assert (tmp_path / "out" / "keep.txt").exists()
    builder.build_hdf5_dataset(
        paths, labels, tmp_path / "out", 8, 8, val_size=0, test_size=2, overwrite=True, workers=0, progress=False
    )
    assert sorted(entry.name for entry in (tmp_path / "out").iterdir())[-1] == "train.hdf5"
    assert not (tmp_path / "out" / "keep.txt").exists()


@pytest.mark.parametrize(
    "keywords, message",
    [
        ({"width": 0}, "Received: width=0"),
        ({"val_size": 1.5}, "Received: val_size=1.5"),
        ({"val_size": 0.5, "test_size": 0.5}, "none to train on"),
        ({"test_size": 1, "val_size": 0}, "stratified test split of 1 images"),
        ({"workers": -1}, "Received: workers=-1"),
        ({"use_multiprocessing": "yes"}, "Received: use_multiprocessing='yes'"),
        ({"resize": "crop"}, "Received: resize='crop'"),
        ({"name": "../x"}, "Received: name='../x'"),
        ({"labels": ["cat"] * 10}, "at least 2 classes"),
    ],
)
def test_invalid_arguments_fail_before_any_work(tmp_path, keywords, message):
    paths, labels = imagefiles.list_labelled_images(_class_folders(tmp_path / "images", per_class=5))
    arguments = {"image_paths": paths, "labels": labels, "output_dir": tmp_path / "out", "width": 8, "height": 8}
    arguments.update(keywords)
    with pytest.raises(ValueError, match=message):
        builder.build_hdf5_dataset(**arguments, progress=False)
    assert not (tmp_path / "out").exists()
    assert not [entry for entry in tmp_path.iterdir() if ".partial-" in entry.name]


def _run_build(source, output, workers=2):
    command = [sys.executable, "-m", "pyimagesearch.cli.build_hdf5", "--dataset", str(source), "--output",
               str(output), "--width", "160", "--height", "120", "--resize", "stretch", "--workers",
               str(workers), "--no-progress"]
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment)


def test_sigkill_at_a_random_point_leaves_nothing_and_a_rerun_completes(tmp_path):
    source = tmp_path / "images"
    for name in ("cat", "dog"):
        for index in range(150):
            # 256x192 -> 160x120 can't use the reduced decode, so the build takes a while.
            _write_jpeg(source / name / f"{index}.jpg", size=(256, 192), colour=COLOURS[name], seed=index)
    output = tmp_path / "out"
    chooser = random.Random()
    killed_mid_build = False
    for attempt in range(4):
        process = _run_build(source, output)
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(".out.partial-*")) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(chooser.uniform(0.0, 0.6) / (attempt + 1))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait()
            killed_mid_build = True
            break
        assert process.returncode == 0, process.stderr.read().decode()
        for child in output.iterdir():
            child.unlink()
        output.rmdir()
    assert killed_mid_build, "the build always finished before the kill"
    # The kill may land after the final rename; then the folder must be complete.
    if output.exists():
        for split in ("train", "val", "test"):
            hdf5format.open_dataset_file(output / f"{split}.hdf5").close()
    else:
        assert list(tmp_path.glob(".out.partial-*"))  # the unfinished build, hidden
        rerun = _run_build(source, output)
        assert rerun.wait(timeout=300) == 0, rerun.stderr.read().decode()
        assert sorted(child.name for child in output.iterdir()) == [
            "build_report.txt", "out_mean.json", "test.hdf5", "train.hdf5", "val.hdf5"
        ]
        assert not list(tmp_path.glob(".out.partial-*"))  # the leftovers were removed


def test_integer_labels_with_names(tmp_path):
    paths, labels = imagefiles.list_labelled_images(_class_folders(tmp_path / "images", per_class=4))
    integers = [0 if label == "cat" else 1 for label in labels]
    result = builder.build_hdf5_dataset(
        paths, integers, tmp_path / "out", 8, 8, label_names=["kitten", "puppy"], val_size=0, test_size=0,
        workers=0, progress=False,
    )
    assert result["label_names"] == ["kitten", "puppy"]
    assert hdf5format.read_dataset_info(result["files"]["train"])["label_names"] == ["kitten", "puppy"]
    with pytest.raises(ValueError, match="Label 1 has no name"):
        builder.build_hdf5_dataset(paths, integers, tmp_path / "bad", 8, 8, label_names=["kitten"], progress=False)


def test_a_class_with_no_readable_image_is_an_error_naming_it(tmp_path):
    images = _class_folders(tmp_path / "images", per_class=4)
    (images / "emu").mkdir()
    (images / "emu" / "0.jpg").write_bytes(b"")
    (images / "emu" / "1.jpg").write_text("not a JPEG")
    paths, labels = imagefiles.list_labelled_images(images)
    with pytest.raises(ValueError, match=r"No image of class 'emu' could be read \(first: .*emu/[01]\.jpg: "):
        builder.build_hdf5_dataset(paths, labels, tmp_path / "out", 8, 8, val_size=0, test_size=0, workers=2,
                                   progress=False)
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["images"]  # no output, no leftovers


def test_a_fifo_and_a_huge_png_are_skipped_with_their_reasons_without_hanging(tmp_path):
    images = _class_folders(tmp_path / "images", per_class=4)
    (images / "cat" / "huge.png").write_bytes(imagetesting.huge_png_bytes(20000, 20000))
    with imagetesting.fifo_unblocked_after(str(images / "dog" / "pipe.jpg")):
        paths, labels = imagefiles.list_labelled_images(images)
        started = time.monotonic()
        result = builder.build_hdf5_dataset(paths, labels, tmp_path / "out", 8, 8, val_size=0, test_size=0,
                                            workers=2, progress=False)
        assert time.monotonic() - started < 8  # the FIFO is set free after 10 s
    skipped = {pathlib.Path(path).name: reason for path, reason in result["skipped"]}
    assert skipped["pipe.jpg"] == "not a regular file (a FIFO)"
    assert "20000x20000 is 400,000,000 pixels, over the limit of 89,478,485" in skipped["huge.png"]
    assert result["counts"] == {"train": 8}


def test_max_image_pixels_sets_the_limit(tmp_path):
    images = _class_folders(tmp_path / "images", per_class=3)
    _write_jpeg(images / "cat" / "big.jpg", size=(60, 50), colour=COLOURS["cat"])
    paths, labels = imagefiles.list_labelled_images(images)
    common = dict(val_size=0, test_size=0, workers=0, progress=False)
    kept = builder.build_hdf5_dataset(paths, labels, tmp_path / "default", 8, 8, **common)
    limited = builder.build_hdf5_dataset(paths, labels, tmp_path / "limited", 8, 8, max_image_pixels=2999, **common)
    assert kept["counts"] == {"train": 7} and kept["skipped"] == []
    assert limited["counts"] == {"train": 6}
    assert [(pathlib.Path(path).name, reason.split(" (")[0]) for path, reason in limited["skipped"]] == [
        ("big.jpg", "60x50 is 3,000 pixels, over the limit of 2,999")
    ]
    with pytest.raises(ValueError, match=r"Received: max_image_pixels=0"):
        builder.build_hdf5_dataset(paths, labels, tmp_path / "zero", 8, 8, max_image_pixels=0, **common)


def test_a_file_name_that_is_not_utf8_is_reported_in_a_utf8_report(tmp_path, capsys):
    images = _class_folders(tmp_path / "images", per_class=4)
    bad_name = imagetesting.non_utf8_name(images / "cat")
    with open(bad_name, "wb") as handle:
        handle.write(b"not a JPEG")
    readable_name = imagetesting.non_utf8_name(images / "dog", stem=b"ok\xff")
    with open(readable_name, "wb") as handle:  # cv2.imwrite crashes on such a name
        handle.write(cv2.imencode(".jpg", np.full((30, 40, 3), COLOURS["dog"], np.uint8))[1].tobytes())
    result = builder.build_from_dataset(images, tmp_path / "out", 8, 8, val_size=0, test_size=0, workers=2,
                                        progress=False)
    assert result["counts"] == {"train": 9}
    assert [path for path, _ in result["skipped"]] == [bad_name]
    report = (tmp_path / "out" / "build_report.txt").read_bytes().decode("utf-8")  # valid UTF-8
    assert "cat/bad\\xff\\xfe.jpg\tnot a decodable image" in report
    assert report.endswith("Skipped 1 of 10 images.\n")
    capsys.readouterr().out.encode("utf-8")
