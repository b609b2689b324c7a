"""Tests for ResNet: bottleneck structure, exact parameter counts, both stems, channels_first."""

import math

import keras
import numpy as np
import pytest

from pyimagesearch.nn.conv import ResNet
from tests import channelsfirst


def normalization_parameters(channels):
    return 4 * channels  # gamma, beta, moving mean, moving variance


def residual_module_parameters(inputs, filters, reduce):
    bottleneck = filters // 4
    parameters = (
        normalization_parameters(inputs)
        + inputs * bottleneck  # 1x1, no bias
        + normalization_parameters(bottleneck)
        + 9 * bottleneck * bottleneck  # 3x3, no bias
        + normalization_parameters(bottleneck)
        + bottleneck * filters  # 1x1, no bias
    )
    return parameters + (inputs * filters if reduce else 0)  # projection shortcut


def expected_parameter_count(width, height, depth, classes, stages, filters, dataset="cifar"):
    parameters = normalization_parameters(depth)
    sizes = [height, width]
    if dataset == "cifar":
        parameters += 3 * 3 * depth * filters[0]
    else:
        parameters += 5 * 5 * depth * filters[0] + normalization_parameters(filters[0])
        sizes = [(size + 2 - 3) // 2 + 1 for size in sizes]  # zero padding 1, 3x3/2 pooling
    channels = filters[0]
    for stage, (modules, stage_filters) in enumerate(zip(stages, filters[1:])):
        parameters += residual_module_parameters(channels, stage_filters, reduce=True)
        parameters += (modules - 1) * residual_module_parameters(stage_filters, stage_filters, reduce=False)
        channels = stage_filters
        if stage > 0:
            sizes = [math.ceil(size / 2) for size in sizes]
    parameters += normalization_parameters(channels)
    sizes = [size // 8 for size in sizes]  # 8x8 average pooling
    parameters += sizes[0] * sizes[1] * channels * classes + classes
    return parameters


def layers_of(model, layer_type):
    return [layer for layer in model.layers if isinstance(layer, layer_type)]


def test_resnet56_for_cifar():
    model = ResNet.build(32, 32, 3, 10, (9, 9, 9), (64, 64, 128, 256), reg=0.0005)

    assert model.name == "resnet"
    assert model.input_shape == (None, 32, 32, 3)
    assert model.output_shape == (None, 10)
    assert model.count_params() == expected_parameter_count(32, 32, 3, 10, (9, 9, 9), (64, 64, 128, 256))
    # 27 bottleneck modules of 3 convolutions, a stem and one projection per stage.
    assert len(layers_of(model, keras.layers.Add)) == 27
    assert len(layers_of(model, keras.layers.Conv2D)) == 1 + 27 * 3 + 3
    assert tuple(model.get_layer("stage1_block9_add").output.shape[1:]) == (32, 32, 64)
    assert tuple(model.get_layer("stage2_block1_add").output.shape[1:]) == (16, 16, 128)
    assert tuple(model.get_layer("stage3_block9_add").output.shape[1:]) == (8, 8, 256)
    assert tuple(model.get_layer("average_pool").output.shape[1:]) == (1, 1, 256)
    probabilities = np.asarray(model(np.zeros((1, 32, 32, 3), dtype="float32"), training=False))
    np.testing.assert_allclose(probabilities.sum(), 1.0, rtol=1e-5)


def test_tiny_imagenet_course_configuration():
    stages, filters = (3, 4, 6), (64, 128, 256, 512)
    model = ResNet.build(64, 64, 3, 200, stages, filters, reg=0.0005, dataset="tiny_imagenet")

    assert model.output_shape == (None, 200)
    assert model.count_params() == expected_parameter_count(64, 64, 3, 200, stages, filters, "tiny_imagenet")
    assert model.get_layer("stem_conv").kernel_size == (5, 5)
    assert tuple(model.get_layer("stem_pool").output.shape[1:]) == (32, 32, 64)
    assert tuple(model.get_layer("average_pool").output.shape[1:]) == (1, 1, 512)


@pytest.mark.parametrize("dataset", ["cifar", "tiny_imagenet"])
@pytest.mark.parametrize("width, height", [(64, 64), (72, 96)])
def test_parameter_count_of_small_configurations(dataset, width, height):
    stages, filters = (2, 1, 1), (8, 16, 32, 64)
    model = ResNet.build(width, height, 3, 17, stages, filters, dataset=dataset)

    assert model.input_shape == (None, height, width, 3)
    assert model.count_params() == expected_parameter_count(width, height, 3, 17, stages, filters, dataset)


def test_residual_module_is_pre_activation_bottleneck():
    model = ResNet.build(32, 32, 3, 10, (2, 2), (16, 32, 64))

    first = model.get_layer("stage2_block1_conv2")
    assert (first.filters, first.kernel_size, first.strides, first.padding) == (16, (3, 3), (2, 2), "same")
    assert model.get_layer("stage2_block1_conv1").filters == 16  # a quarter of 64
    assert model.get_layer("stage2_block1_conv3").filters == 64
    # The projection starts from the first activation; later modules add their input.
    assert model.get_layer("stage2_block1_shortcut").input is model.get_layer("stage2_block1_relu1").output
    assert model.get_layer("stage2_block1_shortcut").strides == (2, 2)
    second_add_inputs = model.get_layer("stage2_block2_add").input
    assert second_add_inputs[1] is model.get_layer("stage2_block1_add").output
    assert all(not layer.use_bias for layer in layers_of(model, keras.layers.Conv2D))


def test_settings_reach_every_layer():
    # The course code dropped `reg` on the way to the residual modules; here it reaches all.
    model = ResNet.build(32, 32, 3, 10, (2, 2), (16, 32, 64), reg=0.003, bn_epsilon=1e-3, bn_momentum=0.8)

    for layer in layers_of(model, keras.layers.Conv2D) + layers_of(model, keras.layers.Dense):
        assert layer.kernel_regularizer.get_config()["l2"] == pytest.approx(0.003), layer.name
    for layer in layers_of(model, keras.layers.BatchNormalization):
        assert (layer.epsilon, layer.momentum) == (pytest.approx(1e-3), pytest.approx(0.8)), layer.name


def test_channels_first(channels_first):
    stages, filters = (2, 2, 2), (16, 16, 32, 64)
    model = ResNet.build(32, 32, 3, 10, stages, filters)

    assert model.input_shape == (None, 3, 32, 32)
    assert model.count_params() == expected_parameter_count(32, 32, 3, 10, stages, filters)
    assert {layer.axis for layer in layers_of(model, keras.layers.BatchNormalization)} == {1}
    assert tuple(model.get_layer("stage3_block2_add").output.shape[1:]) == (64, 8, 8)
    output = channelsfirst.call(model, np.zeros((1, 3, 32, 32), dtype="float32"), training=False)
    assert tuple(output.shape) == (1, 10)


def test_minimum_size():
    stages, filters = (1, 1, 1), (8, 8, 16, 32)
    # Two halvings must leave 8: ceil(29 / 4) = 8, ceil(28 / 4) = 7.
    assert ResNet.build(29, 29, 3, 2, stages, filters).output_shape == (None, 2)
    with pytest.raises(ValueError, match=r"at least 29x29 .* Received: width=28, height=32$"):
        ResNet.build(28, 32, 3, 2, stages, filters)
    # The Tiny ImageNet stem halves once more.
    with pytest.raises(ValueError, match=r"at least 57x57 .* Received: width=64, height=56$"):
        ResNet.build(64, 56, 3, 2, stages, filters, dataset="tiny_imagenet")


@pytest.mark.parametrize(
    "keywords, message",
    [
        ({"stages": ()}, r"Received: stages=\(\)$"),
        ({"stages": (9, 0, 9)}, r"Received: stages=\(9, 0, 9\)$"),
        ({"stages": 9}, r"Received: stages=9$"),
        ({"filters": (64, 64, 128)}, r"Received: filters=\(64, 64, 128\)$"),
        ({"filters": (64, 2, 128, 256)}, r"Received: filters=\(64, 2, 128, 256\)$"),
        ({"filters": (64, 64.0, 128, 256)}, r"Received: filters=\(64, 64.0, 128, 256\)$"),
        ({"dataset": "imagenet"}, r"Received: dataset='imagenet'$"),
        ({"reg": -0.1}, r"Received: reg=-0.1$"),
        ({"bn_epsilon": 0}, r"Received: bn_epsilon=0$"),
        ({"bn_momentum": 1.0}, r"Received: bn_momentum=1.0$"),
    ],
)
def test_rejects_bad_arguments(keywords, message):
    arguments = {
        "width": 32,
        "height": 32,
        "depth": 3,
        "classes": 10,
        "stages": (9, 9, 9),
        "filters": (64, 64, 128, 256),
    }
    arguments.update(keywords)
    with pytest.raises(ValueError, match=message):
        ResNet.build(**arguments)


def test_check_stages_and_filters_returns_ints_or_refuses_before_any_layer_is_built():
    from pyimagesearch.nn.conv import resnet

    assert resnet.check_stages_and_filters((1, 2), (8, 8, 16)) == ([1, 2], [8, 8, 16])
    with pytest.raises(ValueError, match=r"Received: filters=\[8, 8\]$"):
        resnet.check_stages_and_filters([1, 2], [8, 8])
