"""Tests for experiments/imagenet_pretrained/classify.py, offline.

The subprocesses get an empty Keras cache (KERAS_HOME in tmp_path) and a proxy on a closed
local port, so any attempt to reach the internet fails at once and no test touches the network.
The weights are saved by the test from a `weights=None` ResNet50 with its 1000-class top, built
at 32x32 to stay small and fast.
"""

import importlib.util
import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest

from pyimagesearch.nn import applications

SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "experiments" / "imagenet_pretrained" / "classify.py"
SIZE = 32


def load_script():
    spec = importlib.util.spec_from_file_location("imagenet_pretrained_classify", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A test image, a ResNet50 (with top) weights file and a made-up 1000-class index."""
    import keras

    folder = tmp_path_factory.mktemp("classify")
    image = np.zeros((60, 80, 3), dtype=np.uint8)
    image[:, :40] = (30, 120, 200)
    cv2.imwrite(str(folder / "photo.jpg"), image)
    model = keras.applications.ResNet50(weights=None, include_top=True, input_shape=(SIZE, SIZE, 3))
    model.save_weights(folder / "resnet50.weights.h5")
    index = {str(number): [f"n{number:08d}", f"thing_{number}"] for number in range(applications.IMAGENET_CLASSES)}
    (folder / "class_index.json").write_text(json.dumps(index))
    keras.backend.clear_session()
    return folder


def closed_port():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return listener.getsockname()[1]


def offline_environment(tmp_path):
    environment = {key: value for key, value in os.environ.items() if key.lower() not in ("no_proxy", "all_proxy")}
    proxy = f"http://127.0.0.1:{closed_port()}"
    environment.update({
        "KERAS_HOME": str(tmp_path / "empty_keras_home"),
        "http_proxy": proxy, "https_proxy": proxy, "HTTP_PROXY": proxy, "HTTPS_PROXY": proxy,
        "TF_CPP_MIN_LOG_LEVEL": "3",
    })
    return environment


def run_script(arguments, tmp_path):
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), *arguments], capture_output=True, text=True,
        env=offline_environment(tmp_path), cwd=tmp_path, timeout=300,
    )
    return completed, time.monotonic() - started


def test_weights_file_works_offline_and_writes_the_labelled_image(files, tmp_path):
    output = tmp_path / "labelled" / "photo_resnet50.png"

    completed, _ = run_script(
        ["--image", str(files / "photo.jpg"), "--model", "resnet50", "--weights", str(files / "resnet50.weights.h5"),
         "--input-size", str(SIZE), "--class-index", str(files / "class_index.json"), "--output", str(output)],
        tmp_path,
    )

    assert completed.returncode == 0, completed.stderr
    lines = [line for line in completed.stdout.splitlines() if line[:2] in {f"{rank}." for rank in range(1, 6)}]
    assert len(lines) == 5 and all("thing_" in line and "%" in line for line in lines)
    labelled = cv2.imread(str(output))
    original = cv2.imread(str(files / "photo.jpg"))
    assert labelled.shape == original.shape
    # The label is drawn in green at the top left; the bottom half is untouched.
    assert np.abs(labelled[:20].astype(int) - original[:20]).sum() > 0
    np.testing.assert_array_equal(labelled[40:], original[40:])
    assert [path.name for path in output.parent.iterdir()] == [output.name]  # no partial files left


def test_without_network_and_weights_it_fails_within_seconds_with_a_clear_message(files, tmp_path):
    completed, seconds = run_script(["--image", str(files / "photo.jpg"), "--model", "vgg16"], tmp_path)

    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert "error: Could not get the ImageNet weights of vgg16 (include_top=True)" in completed.stderr
    assert "--weights PATH" in completed.stderr
    assert seconds < 60  # TensorFlow's import is most of it; the failed download itself is instant
    assert not (tmp_path / "output").exists()
    assert not list((tmp_path / "empty_keras_home").rglob("*.h5"))


def test_without_a_class_index_it_prints_indices_and_how_to_get_names(files, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty_keras_home"))
    classify = load_script()
    output = tmp_path / "photo.png"

    rows = classify.main(["--image", str(files / "photo.jpg"), "--model", "resnet50", "--weights",
                          str(files / "resnet50.weights.h5"), "--input-size", str(SIZE), "--output", str(output)])

    printed = capsys.readouterr().out
    assert len(rows) == 5 and rows[0]["name"] is None and output.is_file()
    assert "1. class " in printed and "--class-index PATH" in printed and applications.CLASS_INDEX_URL in printed


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--weights", "none"], "Classifying needs trained weights"),
        (["--input-size", "64"], "--input-size only applies to --weights PATH"),
        (["--weights", "missing.h5"], "does not exist. Received: weights='missing.h5'"),
        (["--top", "0"], "Received: top=0"),
    ],
)
def test_bad_arguments_fail_with_a_message(files, arguments, message):
    classify = load_script()

    with pytest.raises(ValueError, match=re.escape(message)):
        classify.main(["--image", str(files / "photo.jpg"), *arguments])


def test_a_missing_image_is_named(files, tmp_path):
    classify = load_script()

    with pytest.raises(ValueError, match="Cannot read image .*nope.jpg"):
        classify.main(["--image", str(tmp_path / "nope.jpg"), "--weights", str(files / "resnet50.weights.h5")])


def test_input_sizes_follow_each_network():
    classify = load_script()

    assert {name: applications.default_image_size(name) for name in classify.MODELS} == {
        "vgg16": 224, "vgg19": 224, "resnet50": 224, "inception_v3": 299, "xception": 299,
    }
