"""`pyimagesearch-build-hdf5` (pyimagesearch/cli/build_hdf5.py): flags, and user errors as one line."""

import types

import cv2
import numpy as np

from pyimagesearch.cli import build_hdf5


def _class_folders(root, per_class=5):
    for index, name in enumerate(("cat", "dog")):
        (root / name).mkdir(parents=True, exist_ok=True)
        for number in range(per_class):
            image = np.full((30, 40, 3), 60 * index + number, np.uint8)
            assert cv2.imwrite(str(root / name / f"{number}.jpg"), image)
    return root


def _argv(images, output, *extra):
    return ["--dataset", str(images), "--output", str(output), "--workers", "0", "--no-progress", *extra]


def test_builds_and_refuses_an_existing_output(tmp_path, capsys):
    argv = _argv(_class_folders(tmp_path / "images"), tmp_path / "out", "--width", "8", "--height", "8",
                 "--val-size", "2", "--test-size", "0.2")
    assert build_hdf5.main(argv) == 0
    printed = capsys.readouterr().out
    assert "train: 6 images" in printed and "skipped 0 of 10 images" in printed
    assert build_hdf5.main(argv) == 2
    assert "exists" in capsys.readouterr().err


def test_image_size_sets_width_and_height(tmp_path, capsys):
    from pyimagesearch.io import hdf5format

    argv = _argv(_class_folders(tmp_path / "images"), tmp_path / "out", "--image-size", "12", "--val-size", "0",
                 "--test-size", "0")
    assert build_hdf5.main(argv) == 0
    assert hdf5format.read_dataset_info(tmp_path / "out" / "train.hdf5")["row_shape"] == (12, 12, 3)


def _one_error_line(capsys):
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith("error: "), error
    return error[0]


def test_a_missing_size_is_one_line(tmp_path, capsys):
    assert build_hdf5.main(_argv(_class_folders(tmp_path / "images"), tmp_path / "out")) == 2
    assert "--image-size" in _one_error_line(capsys)


def test_an_oversized_image_size_is_refused_before_any_work(tmp_path, capsys):
    argv = _argv(_class_folders(tmp_path / "images"), tmp_path / "out", "--width", "100000", "--height", "8")
    assert build_hdf5.main(argv) == 2
    assert "width=100000" in _one_error_line(capsys)
    assert not (tmp_path / "out").exists()


def test_an_offline_catalog_download_is_one_line(tmp_path, capsys, monkeypatch):
    # A mirror on a closed local port: the download fails at once, as it does offline.
    monkeypatch.setenv("PYIMAGESEARCH_DATASETS", str(tmp_path / "datasets"))
    monkeypatch.setenv("PYIMAGESEARCH_DATASET_MIRROR", "http://127.0.0.1:9")
    assert build_hdf5.main(_argv("flowers17", tmp_path / "out", "--image-size", "8")) == 2
    assert "flowers17" in _one_error_line(capsys)


def test_an_output_under_a_regular_file_names_that_file(tmp_path, capsys):
    (tmp_path / "a-file").write_text("not a folder")
    argv = _argv(_class_folders(tmp_path / "images"), tmp_path / "a-file" / "out", "--image-size", "8",
                 "--val-size", "0", "--test-size", "0")
    assert build_hdf5.main(argv) == 2
    line = _one_error_line(capsys)
    assert "a-file is a file, not a folder" in line and "File exists" not in line


def test_max_image_pixels_sets_the_pixel_limit(tmp_path, capsys):
    images = _class_folders(tmp_path / "images")
    assert cv2.imwrite(str(images / "cat" / "big.jpg"), np.full((50, 60, 3), 90, np.uint8))
    common = ["--image-size", "8", "--val-size", "0", "--test-size", "0"]
    assert build_hdf5.main(_argv(images, tmp_path / "default", *common)) == 0
    assert "skipped 0 of 11 images" in capsys.readouterr().out
    assert build_hdf5.main(_argv(images, tmp_path / "limited", *common, "--max-image-pixels", "2999")) == 0
    assert "skipped 1 of 11 images" in capsys.readouterr().out
    report = (tmp_path / "limited" / "build_report.txt").read_text(encoding="utf-8")
    assert "big.jpg\t60x50 is 3,000 pixels, over the limit of 2,999" in report
    assert build_hdf5.argument_parser().parse_args(["--dataset", "x", "--output", "y"]).max_image_pixels == 89_478_485


def test_a_class_with_no_readable_image_is_one_line_naming_it(tmp_path, capsys):
    images = _class_folders(tmp_path / "images")
    (images / "emu").mkdir()
    (images / "emu" / "0.jpg").write_bytes(b"")
    assert build_hdf5.main(_argv(images, tmp_path / "out", "--image-size", "8", "--val-size", "0",
                                 "--test-size", "0")) == 2
    error = _one_error_line(capsys)
    assert "No image of class 'emu' could be read" in error and "the file is empty" in error
    assert not (tmp_path / "out").exists()


def test_experiment_main_takes_its_defaults_from_the_config(monkeypatch):
    config = types.SimpleNamespace(DATASET="dogs-vs-cats", HDF5_DIR="datasets/x-hdf5", IMAGE_SIZE=256,
                                   DATASET_NAME="x", NUM_VAL_IMAGES=2500, NUM_TEST_IMAGES=0.1, SEED=7)
    built = []
    monkeypatch.setattr(build_hdf5, "build", built.append)
    assert build_hdf5.experiment_main(config, argv=["--seed", "3"]) == 0
    arguments = built[0]
    assert (arguments.dataset, arguments.output_dir, arguments.image_size, arguments.name) == (
        "dogs-vs-cats", "datasets/x-hdf5", 256, "x")
    assert (arguments.val_size, arguments.test_size, arguments.seed) == (2500, 0.1, 3)
