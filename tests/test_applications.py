"""Tests for pyimagesearch.nn.applications: networks by name, weights offline, decoding top-k."""

import json

import numpy as np
import pytest

from pyimagesearch.nn import applications


@pytest.mark.parametrize(
    "name, size", [("vgg16", 224), ("vgg19", 224), ("resnet50", 224), ("inception_v3", 299), ("xception", 299)]
)
def test_default_image_size(name, size):
    assert applications.default_image_size(name) == size


def test_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match="vgg16.*Received: name='vgg61'"):
        applications.default_image_size("vgg61")


def test_parse_weights(tmp_path):
    weights_file = tmp_path / "w.weights.h5"
    weights_file.write_bytes(b"x")

    assert applications.parse_weights("imagenet") == "imagenet"
    assert applications.parse_weights(None) is None
    assert applications.parse_weights("None") is None
    assert applications.parse_weights(str(weights_file)) == weights_file
    with pytest.raises(ValueError, match="does not exist. Received: weights="):
        applications.parse_weights(str(tmp_path / "missing.h5"))
    with pytest.raises(ValueError, match="is a folder, not a file. Received: weights="):
        applications.parse_weights(str(tmp_path))


def test_weights_file_round_trip_and_a_file_of_another_network_is_refused(tmp_path):
    model = applications.build_application("vgg16", weights=None, include_top=False, image_size=32)
    path = tmp_path / "vgg16_notop.weights.h5"
    model.save_weights(path)

    loaded = applications.build_application("vgg16", weights=str(path), include_top=False, image_size=32)

    for original, restored in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(original, restored)
    with pytest.raises(ValueError, match="same network.*Received: weights="):
        applications.build_application("vgg19", weights=str(path), include_top=False, image_size=32)


def test_imagenet_download_failure_becomes_a_clear_error():
    def offline_constructor(weights, **arguments):
        raise Exception("URL fetch failure on https://example.invalid/w.h5: None -- [Errno -2] Name or service unknown")

    with pytest.raises(applications.PretrainedWeightsError, match="--weights PATH.*--weights none") as caught:
        applications._build_with_imagenet_weights("vgg16", offline_constructor, {"include_top": False}, 5)
    assert "Name or service unknown" in str(caught.value)


def test_argument_errors_are_not_mistaken_for_download_failures():
    def strict_constructor(weights, **arguments):
        raise ValueError("Received: input_shape=(8, 8, 3)")

    with pytest.raises(ValueError, match="input_shape"):
        applications._build_with_imagenet_weights("vgg16", strict_constructor, {"include_top": False}, 5)


def test_preprocess_bgr_reverses_channels_and_leaves_the_input_alone():
    images = np.zeros((1, 2, 2, 3), dtype=np.float32)
    images[..., 2] = 255.0  # pure red in BGR

    inputs = applications.preprocess_bgr("xception", images)

    np.testing.assert_allclose(inputs[0, 0, 0], [1.0, -1.0, -1.0])  # RGB in [-1, 1]: red first
    assert images[0, 0, 0, 2] == 255.0
    batch = applications.batch_preprocessor("xception")(images)
    np.testing.assert_allclose(batch.numpy(), inputs)


def test_top_predictions_best_first_with_and_without_names():
    probabilities = np.array([0.1, 0.5, 0.05, 0.3, 0.05])
    index = {str(number): [f"n{number:08d}", f"class {number}"] for number in range(5)}

    named = applications.top_predictions(probabilities, top=3, class_index=index)
    unnamed = applications.top_predictions(probabilities[None, :], top=2)

    assert [row["index"] for row in named] == [1, 3, 0]
    assert named[0] == {"rank": 1, "index": 1, "wnid": "n00000001", "name": "class 1", "probability": 0.5}
    assert unnamed[1] == {"rank": 2, "index": 3, "wnid": None, "name": None, "probability": 0.3}
    with pytest.raises(ValueError, match="Received: probabilities.shape=\\(5,\\)"):
        applications.top_predictions(probabilities, class_index={"0": ["n0", "zero"]})


def test_load_class_index_from_a_file_or_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    index = {"0": ["n01440764", "tench"], "1": ["n01443537", "goldfish"]}
    path = tmp_path / "index.json"
    path.write_text(json.dumps(index))

    assert applications.load_class_index(path) == index
    if not (applications.keras_cache_folders()[1] / applications.CLASS_INDEX_FILE).exists():
        assert applications.load_class_index(download=False) is None
    cached = tmp_path / "keras" / "models" / applications.CLASS_INDEX_FILE
    cached.parent.mkdir(parents=True)
    cached.write_text(json.dumps(index))
    assert applications.load_class_index(download=False) == index


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"1": ["n1", "one"]}', '{"0": "tench"}'])
def test_a_bad_class_index_file_is_named(tmp_path, content):
    path = tmp_path / "index.json"
    path.write_text(content)

    with pytest.raises(ValueError, match="index.json.*Received: path="):
        applications.load_class_index(path)
