import json

import numpy as np
import pytest
import tensorflow as tf

from pyimagesearch.preprocessing import MeanPreprocessor


def _bgr_image(blue, green, red, size=(2, 3)):
    return np.tile(np.array([blue, green, red], dtype=np.uint8), (*size, 1))


def test_subtracts_each_mean_from_its_bgr_channel():
    output = MeanPreprocessor(r_mean=1.0, g_mean=2.0, b_mean=3.0).preprocess(_bgr_image(100, 150, 200))
    assert output.dtype == np.float32
    assert output.shape == (2, 3, 3)
    np.testing.assert_array_equal(output[0, 0], [97.0, 148.0, 199.0])


def test_uint8_input_does_not_wrap_around():
    output = MeanPreprocessor(r_mean=5, g_mean=5, b_mean=5).preprocess(_bgr_image(0, 0, 0))
    assert np.all(output == -5.0)


def test_from_json_reads_the_course_mean_file(tmp_path):
    path = tmp_path / "train_mean.json"
    path.write_text(json.dumps({"R": 124.5, "G": 116.25, "B": 104.0}))
    preprocessor = MeanPreprocessor.from_json(path)
    assert (preprocessor.r_mean, preprocessor.g_mean, preprocessor.b_mean) == (124.5, 116.25, 104.0)


@pytest.mark.parametrize(
    "content", ['{"R": 1, "G": 2}', "not json", "[1, 2, 3]", '{"R": 1, "G": 2, "B": "x"}']
)
def test_from_json_names_the_file_when_it_is_wrong(tmp_path, content):
    path = tmp_path / "bad_mean.json"
    path.write_text(content)
    with pytest.raises(ValueError, match="bad_mean.json") as error:
        MeanPreprocessor.from_json(path)
    assert "Received: " in str(error.value)


def test_batch_form_agrees_with_single_image_form():
    preprocessor = MeanPreprocessor(r_mean=123.7, g_mean=116.3, b_mean=103.5)
    images = np.random.default_rng(0).integers(0, 256, (4, 5, 6, 3), dtype=np.uint8)
    batch = preprocessor.preprocess_batch(tf.constant(images, dtype=tf.float32))
    assert batch.dtype == tf.float32
    expected = np.stack([preprocessor.preprocess(image) for image in images])
    np.testing.assert_array_equal(batch.numpy(), expected)


def test_batch_form_runs_inside_tf_data_map():
    preprocessor = MeanPreprocessor(r_mean=3, g_mean=2, b_mean=1)
    images = np.random.default_rng(1).uniform(0, 255, (6, 4, 4, 3)).astype(np.float32)
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(4).map(preprocessor.preprocess_batch)
    output = np.concatenate([batch.numpy() for batch in dataset])
    np.testing.assert_allclose(output, images - np.array([1, 2, 3], dtype=np.float32))


def test_wrong_channel_count_raises_value_error():
    preprocessor = MeanPreprocessor(1, 2, 3)
    with pytest.raises(ValueError, match="Received: image.shape"):
        preprocessor.preprocess(np.zeros((4, 4), dtype=np.uint8))
    with pytest.raises(ValueError, match="Received: images.shape"):
        preprocessor.preprocess_batch(tf.zeros((2, 4, 4, 1)))


@pytest.mark.parametrize("bad_mean", [float("nan"), float("inf"), "1", True, None])
def test_invalid_means_raise_value_error(bad_mean):
    with pytest.raises(ValueError, match="Received: g_mean="):
        MeanPreprocessor(r_mean=1.0, g_mean=bad_mean, b_mean=1.0)
