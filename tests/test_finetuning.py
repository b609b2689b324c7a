"""Tests for pyimagesearch.transfer.finetuning: surgery, staged freezing, block rates, fold summaries.

The central promise: in each stage exactly the chosen layers train. It is proven by layer
index on a real VGG16 (32x32, weights=None) under MirroredStrategy with 2 replicas: frozen
weights stay bit-for-bit the same through a stage, trainable ones change. A public port of
the course "unfroze" nothing (a typo in `trainable`); these tests would catch that.
"""

import json

import cv2
import keras
import numpy as np
import pytest

from pyimagesearch.transfer import finetuning, layerwiselearningrate
from pyimagesearch.utils import strategy

SIZE = 32
CLASSES = 3
VGG16_HEAD_START = 19
VGG16_HEAD_WEIGHTED = [20, 22]  # head_dense, head_predictions (Flatten and Dropout have no weights)


def vgg16_model(distribution=None):
    with (distribution or strategy.get_strategy()).scope():
        return finetuning.build_fine_tuning_model("vgg16", CLASSES, weights=None, image_size=SIZE)


def tiny_datasets(count=16, seed=0):
    from pyimagesearch.io import pipeline

    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (count, SIZE, SIZE, 3), dtype=np.uint8)
    labels = np.arange(count) % CLASSES
    transform = finetuning.backbone_batch_transform("vgg16", CLASSES)
    train = pipeline.make_array_dataset(images, labels, 8, transform, shuffle=True, seed=seed)
    validation = pipeline.make_array_dataset(images[:6], labels[:6], 8, transform)
    return train, validation


def weights_by_layer(model):
    return {index: [weight.numpy().copy() for weight in layer.weights] for index, layer in enumerate(model.layers)}


def changed_layers(before, after):
    """Indices of layers with at least one weight array that changed."""
    return sorted(
        index for index in before
        if any(not np.array_equal(old, new) for old, new in zip(before[index], after[index]))
    )


def layers_with_weights(model):
    return [index for index, layer in enumerate(model.layers) if layer.weights]


def test_surgery_on_vgg16_keeps_the_base_indices():
    model, head_start = vgg16_model()

    assert head_start == VGG16_HEAD_START
    assert model.layers[15].name == "block5_conv1"
    assert model.layers[head_start].name == "head_flatten"
    assert model.output_shape == (None, CLASSES)
    assert finetuning.resolve_layer_index(model, "block5_conv1", head_start) == 15
    assert finetuning.resolve_layer_index(model, "15", head_start) == 15
    assert finetuning.resolve_layer_index(model, head_start, head_start) == head_start


@pytest.mark.parametrize("bad", ["block9_conv1", "head_dense", 20, -1, 2.5])
def test_resolve_layer_index_refuses_layers_outside_the_base(bad):
    model, head_start = vgg16_model()

    with pytest.raises(ValueError, match="Received: unfreeze_from="):
        finetuning.resolve_layer_index(model, bad, head_start)


def test_each_stage_trains_exactly_the_chosen_layers(tmp_path):
    distribution = strategy.get_strategy()
    assert distribution.num_replicas_in_sync == 2
    model, head_start = vgg16_model(distribution)
    train, validation = tiny_datasets()
    warmup, finetune = finetuning.two_stage_schedule(
        head_start, unfreeze_from=15, warmup_epochs=1, epochs=1, warmup_learning_rate=1e-2, learning_rate=1e-2
    )

    before = weights_by_layer(model)
    warmup_record = finetuning.run_stage(
        model, warmup, distribution, train, validation, tmp_path / "warmup", head_start
    )
    after_warmup = weights_by_layer(model)
    finetune_record = finetuning.run_stage(
        model, finetune, distribution, train, validation, tmp_path / "finetune", head_start
    )
    after_finetune = weights_by_layer(model)

    # Stage 1: only the head; every base layer (0..18) is bit-for-bit unchanged.
    assert warmup_record["trainable_indices"] == VGG16_HEAD_WEIGHTED
    assert changed_layers(before, after_warmup) == VGG16_HEAD_WEIGHTED
    assert [layer.trainable for layer in model.layers[:15]] == [False] * 15
    # Stage 2: block5 (15, 16, 17) and the head; blocks 1-4 (1..14) unchanged.
    assert finetune_record["trainable_indices"] == [15, 16, 17] + VGG16_HEAD_WEIGHTED
    assert changed_layers(after_warmup, after_finetune) == [15, 16, 17] + VGG16_HEAD_WEIGHTED
    assert [entry["name"] for entry in finetune_record["trainable_layers"]][:3] == [
        "block5_conv1", "block5_conv2", "block5_conv3",
    ]
    assert type(model.optimizer) is keras.optimizers.SGD
    for stage in ("warmup", "finetune"):
        history = json.loads((tmp_path / stage / "history.json").read_text())
        assert len(history["loss"]) == 1 and "val_accuracy" in history
        assert (tmp_path / stage / "training.png").stat().st_size > 0
        assert json.loads((tmp_path / stage / "stage.json").read_text())["stage"]["name"] == stage


def test_run_stages_records_every_stage_and_unfreezing_from_zero_trains_everything(tmp_path):
    distribution = strategy.get_strategy()
    model, head_start = vgg16_model(distribution)
    train, _ = tiny_datasets()
    stages = [
        finetuning.Stage("only_head", head_start, 0),
        finetuning.Stage("everything", 0, 1, "sgd", 1e-2),
    ]
    before = weights_by_layer(model)

    # No validation data: one traced function fewer, and run_stages must cope without it.
    records = finetuning.run_stages(model, stages, distribution, train, None, tmp_path, head_start)

    assert json.loads((tmp_path / finetuning.STAGES_FILE).read_text()) == records
    assert records[0]["trainable_indices"] == VGG16_HEAD_WEIGHTED
    assert not (tmp_path / "only_head" / "history.json").exists()  # 0 epochs: nothing trained
    assert records[1]["trainable_indices"] == layers_with_weights(model)
    assert changed_layers(before, weights_by_layer(model)) == layers_with_weights(model)


def test_block_rates_decay_and_weight_decay_reach_the_optimizer(tmp_path):
    distribution = strategy.get_strategy()
    model, head_start = vgg16_model(distribution)
    train, _ = tiny_datasets()
    stage = finetuning.Stage(
        "finetune", 11, 2, "sgd", 0.1, weight_decay=1e-4, decay_rate=0.5, block_multipliers=(0.4, 0.6)
    )

    record = finetuning.run_stage(model, stage, distribution, train, None, tmp_path, head_start)

    optimizer = model.optimizer
    assert isinstance(optimizer, layerwiselearningrate.LayerwiseSGD)
    assert optimizer.weight_decay == pytest.approx(1e-4)
    expected = {"block4_conv1": 0.4, "block4_conv2": 0.4, "block4_conv3": 0.4,
                "block5_conv1": 0.6, "block5_conv2": 0.6, "block5_conv3": 0.6}
    assert record["layer_multipliers"] == expected
    assert optimizer.variable_multipliers()["block4_conv2/kernel"] == 0.4
    assert optimizer.variable_multipliers()["head_dense/kernel"] == 1.0
    # ExponentialDecay once per epoch (2 steps of 8 images): 0.1 * 0.5 after epoch 1, 0.1 * 0.25 after 2.
    history = json.loads((tmp_path / "history.json").read_text())
    assert history["learning_rate"] == pytest.approx([0.05, 0.025])


def test_block_layer_multipliers_align_with_the_blocks_below_the_head():
    model, head_start = vgg16_model()

    finetuning.set_trainable_from(model, 15)
    assert finetuning.block_layer_multipliers(model, head_start, (0.4, 0.6)) == {
        "block5_conv1": 0.6, "block5_conv2": 0.6, "block5_conv3": 0.6,
    }
    finetuning.set_trainable_from(model, 7)
    rates = finetuning.block_layer_multipliers(model, head_start, (0.4, 0.6))
    assert rates["block3_conv1"] == rates["block4_conv3"] == 0.4 and rates["block5_conv3"] == 0.6
    assert finetuning.block_layer_multipliers(model, head_start, ()) == {}


def test_batch_normalization_stays_frozen_unless_asked():
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, name="conv1_conv")(inputs)
    x = keras.layers.BatchNormalization(name="conv1_bn")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    model = keras.Model(inputs, keras.layers.Dense(2, name="dense")(x))

    assert finetuning.set_trainable_from(model, 0) == [1, 4]
    assert not model.get_layer("conv1_bn").trainable
    assert finetuning.set_trainable_from(model, 0, keep_batch_normalization_frozen=False) == [1, 2, 4]
    assert finetuning.set_trainable_from(model, 4) == [4]
    with pytest.raises(ValueError, match="Received: first_trainable=6"):
        finetuning.set_trainable_from(model, 6)


def test_block_name():
    assert finetuning.block_name("block5_conv1") == "block5"
    assert finetuning.block_name("conv5_block1_1_conv") == "conv5"
    assert finetuning.block_name("block_16_expand") == "block_16"
    assert finetuning.block_name("predictions") == "predictions"


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"name": "a/b"}, "Received: name="),
        ({"first_trainable": -1}, "Received: first_trainable=-1"),
        ({"epochs": 1.5}, "Received: epochs=1.5"),
        ({"optimizer": "adagrad"}, "Received: optimizer='adagrad'"),
        ({"learning_rate": 0}, "Received: learning_rate=0"),
        ({"momentum": 1.0}, "Received: momentum=1.0"),
        ({"weight_decay": -1e-4}, "Received: weight_decay=-0.0001"),
        ({"decay_rate": 1.5}, "Received: decay_rate=1.5"),
        ({"block_multipliers": (0.4, 0)}, "Received: block_multipliers=0"),
    ],
)
def test_stage_refuses_bad_settings(arguments, message):
    settings = {"name": "finetune", "first_trainable": 15, "epochs": 1} | arguments
    with pytest.raises(ValueError, match=message):
        finetuning.Stage(**settings)


def test_two_stage_schedule_is_the_course_recipe():
    warmup, finetune = finetuning.two_stage_schedule(19, 15, 25, 100)

    assert (warmup.name, warmup.first_trainable, warmup.epochs, warmup.optimizer, warmup.learning_rate) == (
        "warmup", 19, 25, "rmsprop", 1e-3)
    assert (finetune.name, finetune.first_trainable, finetune.epochs, finetune.optimizer, finetune.learning_rate) == (
        "finetune", 15, 100, "sgd", 1e-3)
    with pytest.raises(ValueError, match="Received: unfreeze_from=20"):
        finetuning.two_stage_schedule(19, 20, 25, 100)


def test_backbone_transform_reverses_bgr_and_applies_the_backbones_preprocessing():
    bgr = np.zeros((1, 4, 4, 3), dtype=np.uint8)
    bgr[..., 0], bgr[..., 1], bgr[..., 2] = 10, 20, 30  # blue, green, red
    labels = np.array([1])

    vgg_images, vgg_labels = finetuning.backbone_batch_transform("vgg16", CLASSES)(bgr, labels)
    inception_images, _ = finetuning.backbone_batch_transform("inception_v3", CLASSES)(bgr, labels)

    # VGG16 (caffe mode) takes RGB, turns it back to BGR and subtracts the ImageNet BGR mean.
    np.testing.assert_allclose(vgg_images.numpy()[0, 0, 0], [10 - 103.939, 20 - 116.779, 30 - 123.68], rtol=1e-5)
    # Inception (tf mode) scales RGB to [-1, 1]: channel 0 must be the red one.
    np.testing.assert_allclose(inception_images.numpy()[0, 0, 0], [30 / 127.5 - 1, 20 / 127.5 - 1, 10 / 127.5 - 1])
    np.testing.assert_array_equal(vgg_labels.numpy(), [[0, 1, 0]])


def test_augmentation_only_in_the_transform_it_is_given():
    from pyimagesearch.preprocessing import build_augmentation

    images = np.random.default_rng(1).integers(0, 256, (4, SIZE, SIZE, 3), dtype=np.uint8)
    labels = np.zeros(4, dtype=np.int64)
    plain = finetuning.backbone_batch_transform("vgg16", CLASSES)
    augmented = finetuning.backbone_batch_transform("vgg16", CLASSES, build_augmentation(seed=3))

    first, second = plain(images, labels)[0].numpy(), plain(images, labels)[0].numpy()
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(augmented(images, labels)[0].numpy(), first)


def test_summarize_folds_reports_mean_and_population_std(tmp_path):
    metrics = [{"accuracy": 0.5, "macro_f1": 0.4, "samples": 4}, {"accuracy": 1.0, "macro_f1": 1.0, "samples": 4}]

    summary = finetuning.write_cross_validation(tmp_path, metrics)

    assert summary["accuracy"] == [0.5, 1.0]
    assert summary["mean_accuracy"] == pytest.approx(0.75)
    assert summary["std_accuracy"] == pytest.approx(0.25)
    assert summary["samples"] == 8
    assert json.loads((tmp_path / finetuning.CROSS_VALIDATION_FILE).read_text()) == summary
    with pytest.raises(ValueError, match="Received: \\[\\]"):
        finetuning.summarize_folds([])


def test_fold_run_dirs_sorts_numerically(tmp_path):
    for name in ("fold_10", "fold_2", "fold_1", "fold_x", "evaluation"):
        (tmp_path / name).mkdir()

    assert [path.name for path in finetuning.fold_run_dirs(tmp_path)] == ["fold_1", "fold_2", "fold_10"]


def test_load_images_once_skips_unreadable_files_and_indexes_splits(tmp_path):
    for name, colour in (("a", 40), ("b", 200)):
        (tmp_path / name).mkdir()
        for index in range(3):
            cv2.imwrite(str(tmp_path / name / f"{index}.png"), np.full((12, 16, 3), colour + index, np.uint8))
    (tmp_path / "b" / "broken.png").write_bytes(b"not an image")
    relative = ["a/0.png", "a/1.png", "a/2.png", "b/0.png", "b/broken.png", "b/1.png", "b/2.png"]

    images, labels, kept = finetuning.load_images_once(tmp_path, relative, ["a", "b"], 8)

    assert images.shape == (6, 8, 8, 3) and images.dtype == np.uint8
    assert kept == ["a/0.png", "a/1.png", "a/2.png", "b/0.png", "b/1.png", "b/2.png"]
    split = {"train": ["b/2.png", "a/0.png", "b/broken.png"], "test": ["a/1.png"]}
    rows = finetuning.split_indices(kept, split, "train")
    np.testing.assert_array_equal(rows, [5, 0])
    np.testing.assert_array_equal(labels[rows], [1, 0])
    assert images[rows[0]][0, 0, 0] == 202
