"""Feature extraction into HDF5: sources, backbones, channel order, pooling, bad images, bfloat16."""

import pathlib
import warnings

import cv2
import h5py
import keras
import numpy as np
import pytest

from pyimagesearch.io import hdf5format
from pyimagesearch.io.hdf5datasetwriter import HDF5DatasetWriter
from pyimagesearch.nn import applications
from pyimagesearch.transfer import features
from pyimagesearch.utils import errors
from tests import imagetesting

SIZE = 16


def _identity_model(path, size=SIZE):
    """A `.keras` model whose layer "identity" outputs its input: features are the pixels."""
    inputs = keras.Input((size, size, 3))
    outputs = keras.layers.Identity(name="identity")(inputs)
    keras.Model(inputs, outputs).save(path)
    return path


def _conv_model(path, size=SIZE):
    """A tiny trained-looking CNN: conv (4 filters) -> 2x2 pool -> dense; weights from seed 1."""
    keras.utils.set_random_seed(1)
    inputs = keras.Input((size, size, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv")(inputs)
    x = keras.layers.MaxPooling2D(2, name="pool")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    outputs = keras.layers.Dense(3, name="dense")(x)
    keras.Model(inputs, outputs).save(path)
    return path


def _indexed_images(count, size=SIZE):
    """uint8 BGR images; image i has blue=i, green=2i, red=3i everywhere (rows identify themselves)."""
    images = np.zeros((count, size, size, 3), np.uint8)
    for index in range(count):
        images[index] = (index, 2 * index, 3 * index)
    return images


def _write_folder(root, images, classes=2, extension=".png"):
    root = pathlib.Path(root)
    for index, image in enumerate(images):
        folder = root / f"class{index % classes}"
        folder.mkdir(parents=True, exist_ok=True)
        assert cv2.imwrite(str(folder / f"{index:03d}{extension}"), image)
    return root


def _row_index(feature_rows):
    """Which indexed image each row of identity-model features (avg-pooled, 'none') came from."""
    return np.round(feature_rows[:, 0]).astype(int).tolist()


def test_folder_extraction_keeps_labels_and_the_shuffle(tmp_path):
    images = _indexed_images(12)
    folder = _write_folder(tmp_path / "images", images, classes=3)
    model = _identity_model(tmp_path / "identity.keras")
    result = features.extract_features(
        folder, tmp_path / "plain.hdf5", backbone=model, layer_name="identity", pooling="avg",
        preprocessing="none", batch_size=5, shuffle=False, progress=False,
    )
    plain, labels, names = features.load_features(result["output_path"])
    assert names == ["class0", "class1", "class2"]
    assert plain.dtype == np.float32 and plain.shape == (12, 3)
    # Sorted paths: class0/000, 003, ..., then class1/001, ... Labels follow the rows.
    order = _row_index(plain)
    assert labels.tolist() == [index % 3 for index in order]
    assert sorted(order) == list(range(12))

    shuffled = features.extract_features(
        folder, tmp_path / "shuffled.hdf5", backbone=model, layer_name="identity", pooling="avg",
        preprocessing="none", batch_size=5, shuffle=True, seed=7, progress=False,
    )
    rows, shuffled_labels, _ = features.load_features(shuffled["output_path"])
    permutation = np.random.default_rng(7).permutation(12)
    np.testing.assert_array_equal(rows, plain[permutation])
    np.testing.assert_array_equal(shuffled_labels, labels[permutation])


def test_bgr_is_converted_to_rgb_for_rgb_preprocessing(tmp_path):
    red = np.zeros((2, SIZE, SIZE, 3), np.uint8)
    red[..., 2] = 255  # OpenCV's BGR: red is the last channel
    folder = _write_folder(tmp_path / "red", red)
    model = _identity_model(tmp_path / "identity.keras")
    common = dict(backbone=model, layer_name="identity", pooling="avg", progress=False)
    # "tf" mode is an RGB mode: x / 127.5 - 1 per channel, so red must come out first.
    features.extract_features(folder, tmp_path / "rgb.hdf5", preprocessing="tf", **common)
    rgb, _, _ = features.load_features(tmp_path / "rgb.hdf5")
    np.testing.assert_allclose(rgb, [[1.0, -1.0, -1.0]] * 2, atol=1e-6)
    # "scale" feeds our own networks the way they were trained: BGR / 255.
    features.extract_features(folder, tmp_path / "bgr.hdf5", preprocessing="scale", **common)
    bgr, _, _ = features.load_features(tmp_path / "bgr.hdf5")
    np.testing.assert_allclose(bgr, [[0.0, 0.0, 1.0]] * 2, atol=1e-6)


def test_a_named_network_gets_rgb_and_its_own_preprocess_input():
    backbone = features.build_backbone("vgg16", weights="none", image_size=32)
    generator = np.random.default_rng(0)
    bgr = generator.integers(0, 256, (2, 32, 32, 3)).astype(np.uint8)
    rgb = bgr[..., ::-1].astype(np.float32)
    expected = keras.applications.vgg16.preprocess_input(rgb.copy())
    np.testing.assert_allclose(np.asarray(backbone.preprocess(bgr)), expected, atol=1e-4)
    # VGG16's caffe mode is not symmetric in the channels: feeding BGR would differ.
    assert not np.allclose(np.asarray(backbone.preprocess(bgr)), keras.applications.vgg16.preprocess_input(
        bgr.astype(np.float32)), atol=1.0)
    assert backbone.rgb and backbone.image_size == 32
    # VGG16 at 32x32: pool5 is 1 x 1 x 512, flattened.
    assert backbone.feature_dim == 512


def test_flattened_and_pooled_dimensions(tmp_path):
    model = _conv_model(tmp_path / "conv.keras")
    flattened = features.build_backbone(model, layer_name="pool")
    averaged = features.build_backbone(model, layer_name="pool", pooling="avg")
    maximum = features.build_backbone(model, layer_name="conv", pooling="max")
    dense = features.build_backbone(model, layer_name="dense")
    assert flattened.feature_dim == 8 * 8 * 4
    assert averaged.feature_dim == 4 and maximum.feature_dim == 4
    assert dense.feature_dim == 3
    batch = np.random.default_rng(0).integers(0, 256, (3, SIZE, SIZE, 3)).astype(np.uint8)
    pooled = np.asarray(averaged.model(averaged.preprocess(batch)))
    flat = np.asarray(flattened.model(flattened.preprocess(batch))).reshape(3, 8, 8, 4)
    np.testing.assert_allclose(pooled, flat.mean(axis=(1, 2)), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"nothing to pool\. Received: pooling='avg'"):
        features.build_backbone(model, layer_name="dense", pooling="avg")


@pytest.mark.filterwarnings("ignore:This CPU has neither")
def test_mobilenet_v2_from_a_folder_with_pooling_and_bfloat16(tmp_path):
    generator = np.random.default_rng(3)
    images = generator.integers(0, 256, (6, 40, 48, 3)).astype(np.uint8)
    folder = _write_folder(tmp_path / "photos", images, extension=".jpg")
    keras.utils.set_random_seed(0)
    backbone = features.build_backbone("mobilenet_v2", weights="none", image_size=32, pooling="avg")
    result = features.extract_features(folder, tmp_path / "f32.hdf5", backbone=backbone, batch_size=4, progress=False)
    assert result["rows"] == 6 and result["feature_dim"] == 1280
    reference, _, _ = features.load_features(tmp_path / "f32.hdf5")

    before = keras.mixed_precision.global_policy().name
    keras.utils.set_random_seed(0)
    half = features.build_backbone("mobilenet_v2", weights="none", image_size=32, pooling="avg", precision="mixed_bfloat16")
    assert keras.mixed_precision.global_policy().name == before  # restored after the build
    half.model.set_weights(backbone.model.get_weights())
    features.extract_features(folder, tmp_path / "bf16.hdf5", backbone=half, batch_size=4, progress=False)
    with h5py.File(tmp_path / "bf16.hdf5", "r") as handle:
        assert handle["features"].dtype == np.float32
        assert "precision=mixed_bfloat16" in handle.attrs["preprocessing"]
    lower, _, _ = features.load_features(tmp_path / "bf16.hdf5")
    cosine = np.sum(lower * reference, axis=1) / (
        np.linalg.norm(lower, axis=1) * np.linalg.norm(reference, axis=1)
    )
    assert cosine.min() > 0.98, cosine
    assert not np.array_equal(lower, reference)  # it really ran in bfloat16


def test_bfloat16_warns_on_a_cpu_without_native_support(tmp_path, monkeypatch):
    model = _conv_model(tmp_path / "conv.keras")
    monkeypatch.setattr(features.precision_module, "cpu_has_native_bfloat16", lambda: False)
    with pytest.warns(UserWarning, match="neither AMX nor AVX512-BF16"):
        features.build_backbone(model, layer_name="pool", precision="mixed_bfloat16")
    monkeypatch.setattr(features.precision_module, "cpu_has_native_bfloat16", lambda: True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        features.build_backbone(model, layer_name="pool", precision="mixed_bfloat16")


@pytest.mark.filterwarnings("ignore:This CPU has neither")
def test_a_keras_file_in_bfloat16_keeps_its_trained_weights(tmp_path):
    model = _conv_model(tmp_path / "conv.keras")
    folder = _write_folder(tmp_path / "images", _indexed_images(4) * 20)
    common = dict(backbone=model, layer_name="pool", pooling="avg", progress=False)
    features.extract_features(folder, tmp_path / "f32.hdf5", **common)
    features.extract_features(folder, tmp_path / "bf16.hdf5", precision="mixed_bfloat16", **common)
    # Random weights are drawn from Keras' seed: the file's own seed would redraw the file's.
    keras.utils.set_random_seed(2)
    features.extract_features(folder, tmp_path / "random.hdf5", weights="none", **common)
    full, _, _ = features.load_features(tmp_path / "f32.hdf5")
    half, _, _ = features.load_features(tmp_path / "bf16.hdf5")
    random, _, _ = features.load_features(tmp_path / "random.hdf5")
    np.testing.assert_allclose(half, full, rtol=0.02, atol=0.02)
    assert not np.allclose(random, full, atol=0.05)  # weights="none": the same layers, re-initialised


def test_corrupt_images_are_skipped_counted_and_named(tmp_path, capsys):
    folder = _write_folder(tmp_path / "images", _indexed_images(6))
    (folder / "class0" / "empty.png").write_bytes(b"")
    (folder / "class1" / "text.jpg").write_text("not a picture")
    good = cv2.imencode(".jpg", np.full((20, 20, 3), 99, np.uint8))[1].tobytes()
    (folder / "class1" / "truncated.jpg").write_bytes(good[: len(good) // 2])
    model = _identity_model(tmp_path / "identity.keras")
    result = features.extract_features(
        folder, tmp_path / "out.hdf5", backbone=model, layer_name="identity", pooling="avg",
        preprocessing="none", batch_size=4,
    )
    assert result["rows"] == 6
    assert sorted(pathlib.Path(path).name for path, _ in result["skipped"]) == ["empty.png", "text.jpg", "truncated.jpg"]
    reasons = dict((pathlib.Path(path).name, reason) for path, reason in result["skipped"])
    assert "empty" in reasons["empty.png"] and "truncated" in reasons["truncated.jpg"]
    rows, labels, _ = features.load_features(tmp_path / "out.hdf5")
    assert sorted(_row_index(rows)) == list(range(6))
    output = capsys.readouterr().out
    assert "skipped 3 of 9 images" in output and "truncated.jpg" in output


def test_every_image_unreadable_leaves_no_file(tmp_path):
    for name in ("a", "b"):
        (tmp_path / "bad" / name).mkdir(parents=True)
        (tmp_path / "bad" / name / "x.png").write_bytes(b"")
    model = _identity_model(tmp_path / "identity.keras")
    with pytest.raises(ValueError, match="could be read"):
        features.extract_features(tmp_path / "bad", tmp_path / "out.hdf5", backbone=model, layer_name="identity",
                                  pooling="avg", progress=False)
    assert not (tmp_path / "out.hdf5").exists()
    assert not list(tmp_path.glob(".out*"))


def test_kaggle_flat_layout(tmp_path):
    flat = tmp_path / "train"
    flat.mkdir()
    for index, image in enumerate(_indexed_images(4)):
        cv2.imwrite(str(flat / f"{'cat' if index % 2 else 'dog'}.{index}.png"), image)
    model = _identity_model(tmp_path / "identity.keras")
    result = features.extract_features(flat, tmp_path / "out.hdf5", backbone=model, layer_name="identity",
                                       pooling="avg", preprocessing="none", progress=False)
    rows, labels, names = features.load_features(result["output_path"])
    assert names == ["cat", "dog"]
    assert labels.tolist() == [0 if index % 2 else 1 for index in _row_index(rows)]


def _image_file(path, images, labels, names=("class0", "class1")):
    with HDF5DatasetWriter(images.shape, path) as writer:
        writer.store_class_labels(list(names))
        writer.add(images, labels)
    return path


def test_hdf5_source_matches_the_folder_and_shuffles_rows(tmp_path):
    images = _indexed_images(10)
    labels = np.arange(10) % 2
    source = _image_file(tmp_path / "train.hdf5", images, labels)
    model = _conv_model(tmp_path / "conv.keras")
    common = dict(backbone=model, layer_name="pool", batch_size=4, progress=False)
    from_file = features.extract_features(source, tmp_path / "file.hdf5", shuffle=False, **common)
    assert from_file["rows"] == 10 and from_file["feature_dim"] == 256
    file_rows, file_labels, names = features.load_features(tmp_path / "file.hdf5")
    assert names == ["class0", "class1"]
    np.testing.assert_array_equal(file_labels, labels)
    # The same pixels from PNG files give the same features.
    folder = _write_folder(tmp_path / "images", images)
    features.extract_features(folder, tmp_path / "folder.hdf5", shuffle=False, **common)
    folder_rows, _, _ = features.load_features(tmp_path / "folder.hdf5")
    # The folder lists class0/000, class0/002, ..., class1/001, ...: the file's rows in that order.
    folder_order = [index for index in range(10) if index % 2 == 0] + [index for index in range(10) if index % 2]
    np.testing.assert_allclose(folder_rows, file_rows[folder_order], atol=1e-5)
    shuffled = features.extract_features(source, tmp_path / "shuffled.hdf5", shuffle=True, seed=3, **common)
    shuffled_rows, shuffled_labels, _ = features.load_features(shuffled["output_path"])
    permutation = np.random.default_rng(3).permutation(10)
    np.testing.assert_allclose(shuffled_rows, file_rows[permutation], atol=1e-6)
    np.testing.assert_array_equal(shuffled_labels, labels[permutation])


def test_hdf5_images_of_another_size_are_resized(tmp_path):
    images = np.full((3, 24, 24, 3), 128, np.uint8)
    source = _image_file(tmp_path / "big.hdf5", images, np.array([0, 1, 0]))
    model = _identity_model(tmp_path / "identity.keras")
    features.extract_features(source, tmp_path / "out.hdf5", backbone=model, layer_name="identity", progress=False)
    rows, _, _ = features.load_features(tmp_path / "out.hdf5")
    assert rows.shape == (3, SIZE * SIZE * 3)
    np.testing.assert_allclose(rows, 128 / 255, atol=1e-3)


def test_incomplete_and_foreign_hdf5_files_are_refused(tmp_path):
    model = _identity_model(tmp_path / "identity.keras")
    common = dict(backbone=model, layer_name="identity", progress=False)
    incomplete = tmp_path / "incomplete.hdf5"
    with h5py.File(incomplete, "w") as handle:
        handle.attrs["format_version"] = hdf5format.FORMAT_VERSION
        handle.attrs["complete"] = False
        handle.create_dataset("images", data=np.zeros((2, SIZE, SIZE, 3), np.uint8))
        handle.create_dataset("labels", data=np.zeros(2, np.int64))
    with pytest.raises(hdf5format.InvalidDatasetFileError, match=r"incomplete\.hdf5.*'complete' flag is not set"):
        features.extract_features(incomplete, tmp_path / "a.hdf5", **common)
    foreign = tmp_path / "foreign.h5"
    with h5py.File(foreign, "w") as handle:
        handle.create_dataset("images", data=np.zeros((2, SIZE, SIZE, 3), np.uint8))
    with pytest.raises(hdf5format.InvalidDatasetFileError, match=r"foreign\.h5.*format_version"):
        features.extract_features(foreign, tmp_path / "b.hdf5", **common)
    features_file = tmp_path / "features.hdf5"
    with HDF5DatasetWriter((2, 5), features_file, data_key="features") as writer:
        writer.add(np.zeros((2, 5), np.float32), [0, 1])
    with pytest.raises(hdf5format.InvalidDatasetFileError, match="'images' is missing"):
        features.extract_features(features_file, tmp_path / "c.hdf5", **common)
    assert not any((tmp_path / name).exists() for name in ("a.hdf5", "b.hdf5", "c.hdf5"))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"backbone": "vgg17"}, r"Received: backbone='vgg17'"),
        ({"pooling": "sum"}, r"Received: pooling='sum'"),
        ({"precision": "float16"}, r"Received: precision='float16'"),
        ({"image_size": 8}, r"Received: image_size=8"),
        ({"weights": "missing.weights.h5"}, r"Received: weights='missing.weights.h5'"),
        ({"preprocessing": "scale"}, r"Received: preprocessing='scale'"),
        ({"backbone": "missing.keras"}, r"Received: backbone='missing.keras'"),
    ],
)
def test_build_arguments_are_checked_early(arguments, message):
    with pytest.raises(ValueError, match=message):
        features.build_backbone(**arguments)


def test_keras_file_arguments_are_checked(tmp_path):
    model = _conv_model(tmp_path / "conv.keras")
    with pytest.raises(ValueError, match=r"needs `layer_name`.*Received: layer_name=None"):
        features.build_backbone(model)
    with pytest.raises(ValueError, match=r"no layer 'fc9'.*Received: layer_name='fc9'"):
        features.build_backbone(model, layer_name="fc9")
    with pytest.raises(ValueError, match=r"Received: weights='imagenet'"):
        features.build_backbone(model, layer_name="pool", weights="imagenet")
    with pytest.raises(ValueError, match=r"Received: image_size=32"):
        features.build_backbone(model, layer_name="pool", image_size=32)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"batch_size": 0}, r"Received: batch_size=0"),
        ({"shuffle": "yes"}, r"Received: shuffle='yes'"),
        ({"resize": "crop"}, r"Received: resize='crop'"),
        ({"seed": -1}, r"Received: seed=-1"),
        ({"layout": "tree"}, r"Received: layout='tree'"),
    ],
)
def test_extraction_arguments_are_checked_early(tmp_path, arguments, message):
    with pytest.raises(ValueError, match=message):
        features.extract_features(tmp_path, tmp_path / "out.hdf5", **arguments)


def test_an_existing_output_is_refused_before_any_work(tmp_path):
    (tmp_path / "out.hdf5").write_bytes(b"keep me")
    with pytest.raises(FileExistsError, match=r"overwrite.*Received: output_path="):
        features.extract_features(tmp_path / "nothing-here", tmp_path / "out.hdf5")
    assert (tmp_path / "out.hdf5").read_bytes() == b"keep me"


def test_a_weights_file_replaces_the_weights(tmp_path):
    first = _conv_model(tmp_path / "first.keras")
    keras.utils.set_random_seed(5)
    other = keras.saving.load_model(first)
    other = keras.models.clone_model(other)  # the same layers, new random weights
    other.save_weights(tmp_path / "other.weights.h5")
    batch = np.random.default_rng(0).integers(0, 256, (2, SIZE, SIZE, 3)).astype(np.uint8)
    loaded = features.build_backbone(first, layer_name="dense", weights=tmp_path / "other.weights.h5")
    np.testing.assert_allclose(
        np.asarray(loaded.model(loaded.preprocess(batch))), np.asarray(other(batch / 255.0)), rtol=1e-5, atol=1e-6
    )


def test_a_failed_imagenet_download_says_what_to_do(monkeypatch):
    def offline(**arguments):
        raise Exception("URL fetch failure on https://example.invalid/weights.h5: None -- no network")

    monkeypatch.setattr(keras.applications, "MobileNetV2", offline)
    with pytest.raises(applications.PretrainedWeightsError, match=r"(?s)ImageNet weights of mobilenet_v2.*--weights none"):
        features.build_backbone("mobilenet_v2", weights="imagenet")


def test_rows_are_shuffled_by_default(tmp_path):
    folder = _write_folder(tmp_path / "images", _indexed_images(12), classes=3)
    model = _identity_model(tmp_path / "identity.keras")
    common = dict(backbone=model, layer_name="identity", pooling="avg", preprocessing="none", progress=False)
    default = features.extract_features(folder, tmp_path / "default.hdf5", **common)
    features.extract_features(folder, tmp_path / "plain.hdf5", shuffle=False, **common)
    rows, labels, _ = features.load_features(tmp_path / "default.hdf5")
    plain, plain_labels, _ = features.load_features(tmp_path / "plain.hdf5")
    permutation = np.random.default_rng(42).permutation(12)
    np.testing.assert_array_equal(rows, plain[permutation])
    np.testing.assert_array_equal(labels, plain_labels[permutation])
    assert "rows shuffled once with seed 42" in default["description"]


def test_a_class_with_no_readable_image_is_an_error_naming_it(tmp_path):
    folder = _write_folder(tmp_path / "images", _indexed_images(4))
    (folder / "lily").mkdir()
    (folder / "lily" / "a.png").write_bytes(b"")
    (folder / "lily" / "b.png").write_text("not a picture")
    model = _identity_model(tmp_path / "identity.keras")
    with pytest.raises(errors.InvalidArgumentError, match=r"No image of class 'lily' in .*images could be read "
                                                          r"\(first: .*lily/a\.png: the file is empty"):
        features.extract_features(folder, tmp_path / "out.hdf5", backbone=model, layer_name="identity",
                                  pooling="avg", progress=False)
    assert not (tmp_path / "out.hdf5").exists()
    assert not list(tmp_path.glob(".out*"))


def test_max_image_pixels_and_names_that_are_not_utf8(tmp_path, capsys):
    folder = _write_folder(tmp_path / "images", _indexed_images(4))
    assert cv2.imwrite(str(folder / "class0" / "big.png"), np.full((40, 50, 3), 7, np.uint8))
    bad = imagetesting.non_utf8_name(folder / "class1", suffix=b".png")
    with open(bad, "wb") as handle:
        handle.write(b"not a picture")
    model = _identity_model(tmp_path / "identity.keras")
    result = features.extract_features(folder, tmp_path / "out.hdf5", backbone=model, layer_name="identity",
                                       pooling="avg", progress=False, max_image_pixels=1999)
    assert result["rows"] == 4
    reasons = dict(result["skipped"])
    assert reasons[str(folder / "class0" / "big.png")].startswith("50x40 is 2,000 pixels, over the limit of 1,999")
    assert bad in reasons
    printed = capsys.readouterr().out
    printed.encode("utf-8")
    assert "class1/bad\\xff\\xfe.png: not a decodable image" in printed
    with pytest.raises(ValueError, match=r"Received: max_image_pixels=0"):
        features.extract_features(folder, tmp_path / "zero.hdf5", backbone=model, layer_name="identity",
                                  max_image_pixels=0)
