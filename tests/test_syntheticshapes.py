"""The shape drawing behind the synthetic CIFAR-10 and Tiny ImageNet stand-ins."""

import numpy as np
import pytest

from pyimagesearch.datasets import syntheticshapes


def _draw(index, shape_class, size=32, difficulty=syntheticshapes.DEFAULT_DIFFICULTY):
    return syntheticshapes.draw_image(np.random.default_rng([3, index]), shape_class, size, difficulty)


def test_images_are_uint8_bgr_of_the_size_asked_and_repeatable():
    shape_class = syntheticshapes.CIFAR10_CLASSES[0]
    for size in (32, 64):
        image = _draw(0, shape_class, size)
        assert image.shape == (size, size, 3) and image.dtype == np.uint8
        assert np.array_equal(image, _draw(0, shape_class, size))
    assert not np.array_equal(_draw(0, shape_class), _draw(1, shape_class))


def test_the_object_has_its_class_colour_in_bgr_order():
    # At difficulty 0 the object fills the centre: the red disc is red there (channel 2, BGR).
    red_disc, blue_square = syntheticshapes.CIFAR10_CLASSES[0], syntheticshapes.CIFAR10_CLASSES[3]
    red = np.mean([_draw(index, red_disc, difficulty=0.0)[14:18, 14:18].mean(axis=(0, 1)) for index in range(5)], 0)
    blue = np.mean([_draw(index, blue_square, difficulty=0.0)[14:18, 14:18].mean(axis=(0, 1)) for index in range(5)], 0)
    assert red[2] > 150 and red[0] < 80
    assert blue[0] > 150 and blue[2] < 100


def test_difficulty_adds_variation_within_a_class():
    shape_class = syntheticshapes.CIFAR10_CLASSES[3]
    spread = {
        difficulty: np.stack([_draw(index, shape_class, difficulty=difficulty) for index in range(20)]).astype(float).std(0).mean()
        for difficulty in (0.0, 1.0)
    }
    assert spread[1.0] > spread[0.0]


def test_grid_classes_are_distinct_up_to_tiny_imagenets_200():
    classes = syntheticshapes.grid_classes(200)
    assert len({shape_class.name for shape_class in classes}) == 200
    assert {shape_class.shape for shape_class in classes} == set(syntheticshapes.SHAPES)
    assert syntheticshapes.grid_classes(10) == classes[:10]


@pytest.mark.parametrize("difficulty", [-0.1, 2.5, "hard"])
def test_a_difficulty_out_of_range_is_refused(difficulty):
    with pytest.raises(ValueError, match=r"Received: difficulty="):
        syntheticshapes.check_difficulty(difficulty)
