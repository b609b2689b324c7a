"""`pyimagesearch-extract-features` (pyimagesearch/cli/extract_features.py): flags and user errors."""

import types

import cv2
import keras
import numpy as np

from pyimagesearch.cli import extract_features
from pyimagesearch.transfer import features

SIZE = 16


def _folder(root, count=4):
    for index in range(count):
        folder = root / f"class{index % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        assert cv2.imwrite(str(folder / f"{index:03d}.png"), np.full((SIZE, SIZE, 3), 10 * index, np.uint8))
    return root


def _conv_model(path):
    keras.utils.set_random_seed(1)
    inputs = keras.Input((SIZE, SIZE, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv")(inputs)
    x = keras.layers.MaxPooling2D(2, name="pool")(x)
    outputs = keras.layers.Dense(3, name="dense")(keras.layers.Flatten()(x))
    keras.Model(inputs, outputs).save(path)
    return path


def test_command_line(tmp_path, capsys):
    folder = _folder(tmp_path / "images")
    model = _conv_model(tmp_path / "conv.keras")
    output = tmp_path / "cli.hdf5"
    arguments = ["--dataset", str(folder), "--output", str(output), "--backbone", str(model), "--layer", "pool",
                 "--pooling", "max", "--no-progress", "--shuffle"]
    assert extract_features.main(arguments) == 0
    rows, labels, _ = features.load_features(output)
    assert rows.shape == (4, 4)
    assert extract_features.main(arguments) == 2  # exists, no --overwrite
    assert "exists" in capsys.readouterr().err
    assert extract_features.main(arguments + ["--overwrite"]) == 0


def test_defaults_come_from_the_caller(tmp_path):
    parser = extract_features.argument_parser(prog="x", source="digits", output_path="f.hdf5", backbone="resnet50")
    arguments = parser.parse_args([])
    assert (arguments.source, arguments.output_path, arguments.backbone) == ("digits", "f.hdf5", "resnet50")


def test_an_output_under_a_regular_file_is_one_line(tmp_path, capsys):
    (tmp_path / "a-file").write_text("not a folder")
    arguments = ["--dataset", str(_folder(tmp_path / "images")), "--output", str(tmp_path / "a-file" / "f.hdf5"),
                 "--backbone", str(_conv_model(tmp_path / "conv.keras")), "--layer", "pool", "--no-progress"]
    assert extract_features.main(arguments) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "a-file is a file, not a folder" in error[0], error


def test_rows_are_shuffled_unless_no_shuffle(tmp_path):
    parser = extract_features.argument_parser(source="digits", output_path="f.hdf5")
    assert parser.parse_args([]).shuffle is True
    assert parser.parse_args(["--no-shuffle"]).shuffle is False
    assert parser.parse_args(["--max-image-pixels", "1000"]).max_image_pixels == 1000
    assert parser.parse_args([]).max_image_pixels == 89_478_485


def test_experiment_main_takes_its_defaults_from_the_config_and_pooling_is_optional(monkeypatch):
    config = types.SimpleNamespace(DATASET="flowers17", FEATURES_PATH="features.hdf5", BACKBONE="vgg16",
                                   BATCH_SIZE=32, BUFFER_SIZE=1000, SHUFFLE=True, SEED=42)
    extracted = []
    monkeypatch.setattr(extract_features, "extract", extracted.append)
    assert extract_features.experiment_main(config, argv=[]) == 0
    arguments = extracted[0]
    assert (arguments.source, arguments.output_path, arguments.backbone, arguments.pooling) == (
        "flowers17", "features.hdf5", "vgg16", None)
    assert (arguments.batch_size, arguments.buffer_size, arguments.shuffle, arguments.seed) == (32, 1000, True, 42)
    config.POOLING = "avg"
    assert extract_features.experiment_main(config, argv=["--batch-size", "16"]) == 0
    assert (extracted[1].pooling, extracted[1].batch_size) == ("avg", 16)
