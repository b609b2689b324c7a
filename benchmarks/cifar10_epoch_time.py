"""Seconds per CIFAR-10 epoch on this machine, for the CIFAR-10 chapters' networks, from timed training steps.

    python benchmarks/cifar10_epoch_time.py --network minigooglenet --steps 300 --precision float32
    python benchmarks/cifar10_epoch_time.py --network resnet56 --steps 200 --precision float32
    python benchmarks/cifar10_epoch_time.py --network resnet56 --steps 5 --warmup-steps 2   # a smoke test

The network and optimizer are the experiment's (minigooglenet_cifar10: MiniGoogLeNet, SGD 5e-3
momentum 0.9, batch 64; resnet_cifar10: ResNet (9, 9, 9)/(64, 64, 128, 256), L2 5e-4, SGD 0.1
momentum 0.9, batch 128), built and fitted inside `strategy.get_strategy()`, fed as its train.py
feeds them: `cifar10pipeline.make_cifar10_datasets` with the training mean subtracted and the
shift/flip augmentation in the tf.data map. The images are random 32x32 uint8 (speed does not
depend on what they show). `--warmup-steps` steps (tracing, the first epoch's start) are left
out; the clock runs from the end of the last warm-up step to the end of the last timed one, so
it counts the steps and the epoch boundaries between them (every `--images` images), not
validation or checkpoints. Printed: steps/s, images/s, and the extrapolation to CIFAR-10's
50,000 training images an epoch and to the course's epoch count, with the arithmetic.
"""

import argparse
import math
import os
import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks.training import cpu_description  # noqa: E402

CIFAR10_TRAIN_IMAGES = 50000
# name -> (per-replica batch size, the course's epochs)
NETWORKS = {"minigooglenet": (64, 70), "resnet56": (128, 100)}


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--network", choices=list(NETWORKS), required=True)
    parser.add_argument("--batch-size", type=int, default=None, help="per replica (default: the experiment's)")
    parser.add_argument("--steps", type=int, default=300, help="timed training steps")
    parser.add_argument("--warmup-steps", type=int, default=20, help="untimed steps first")
    parser.add_argument("--images", type=int, default=4096, help="random training images (an epoch)")
    parser.add_argument("--precision", choices=["float32", "mixed_bfloat16"], default="float32")
    parser.add_argument("--epochs", type=int, default=None, help="for the total (default: the course's)")
    arguments = parser.parse_args()
    batch_size, epochs = NETWORKS[arguments.network]
    arguments.batch_size = arguments.batch_size or batch_size
    arguments.epochs = arguments.epochs or epochs
    for name in ("batch_size", "steps", "warmup_steps", "images", "epochs"):
        if getattr(arguments, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1. Received: {getattr(arguments, name)}")
    return arguments


def build_and_compile(network, classes):
    from pyimagesearch.nn.conv import MiniGoogLeNet, ResNet

    if network == "minigooglenet":
        model = MiniGoogLeNet.build(32, 32, 3, classes)
        optimizer = keras.optimizers.SGD(learning_rate=5e-3, momentum=0.9)
    else:
        model = ResNet.build(32, 32, 3, classes, (9, 9, 9), (64, 64, 128, 256), reg=5e-4)
        optimizer = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


class StepClock(keras.callbacks.Callback):
    """The perf_counter time at the end of every training batch."""

    def __init__(self):
        super().__init__()
        self.times = []

    def on_train_batch_end(self, batch, logs=None):
        self.times.append(time.perf_counter())


def main():
    arguments = parse_arguments()
    from pyimagesearch.datasets import cifar10
    from pyimagesearch.io import cifar10pipeline, pipeline
    from pyimagesearch.utils import precision, seeding, strategy

    seeding.set_seed(42)
    random = np.random.default_rng(42)
    images = random.integers(0, 256, (arguments.images, 32, 32, 3), dtype=np.uint8)
    labels = np.arange(arguments.images) % cifar10.NUM_CLASSES
    data = cifar10.Cifar10Data(images, labels, images[:8], labels[:8], cifar10.CLASS_NAMES)
    distribution = strategy.get_strategy()
    global_batch = pipeline.global_batch_size(arguments.batch_size, distribution)
    train_dataset, _ = cifar10pipeline.make_cifar10_datasets(
        data, global_batch, seed=42, augmentation=cifar10pipeline.shift_flip_augmentation(42),
        mean=cifar10pipeline.training_mean(data),
    )
    total_steps = arguments.warmup_steps + arguments.steps
    with precision.policy_scope(arguments.precision), distribution.scope():
        model = build_and_compile(arguments.network, cifar10.NUM_CLASSES)
    clock = StepClock()
    print(f"[INFO] {cpu_description()}")
    print(f"[INFO] {arguments.network}, {arguments.precision}, {distribution.num_replicas_in_sync} replica(s), "
          f"global batch {global_batch}; {arguments.warmup_steps} warm-up + {arguments.steps} timed steps")
    model.fit(
        train_dataset.repeat(), epochs=1, steps_per_epoch=total_steps, verbose=0,
        callbacks=[clock, *pipeline.epoch_callbacks(train_dataset)],
    )
    report(arguments, clock.times, global_batch)


def report(arguments, times, global_batch):
    timed = np.diff(times[arguments.warmup_steps - 1:])
    seconds = float(times[-1] - times[arguments.warmup_steps - 1])
    seconds_per_step = seconds / arguments.steps
    images_per_second = arguments.steps * global_batch / seconds
    epoch_steps = math.ceil(CIFAR10_TRAIN_IMAGES / global_batch)
    epoch_seconds = epoch_steps * seconds_per_step
    print(f"[RESULT] {arguments.steps} steps of {global_batch} images in {seconds:.1f} s: "
          f"{seconds_per_step * 1000:.0f} ms/step (per-step median {statistics.median(timed) * 1000:.0f} ms, "
          f"min {timed.min() * 1000:.0f}, max {timed.max() * 1000:.0f}), {images_per_second:.1f} images/s")
    print(f"[RESULT] one CIFAR-10 epoch: ceil(50,000 / {global_batch}) = {epoch_steps} steps x "
          f"{seconds_per_step:.3f} s = {epoch_seconds:.0f} s ({epoch_seconds / 60:.1f} min)")
    print(f"[RESULT] {arguments.epochs} epochs: {arguments.epochs} x {epoch_seconds:.0f} s = "
          f"{arguments.epochs * epoch_seconds / 3600:.1f} h (training steps only; the test set's "
          f"10,000 images and the checkpoints come on top)")


if __name__ == "__main__":
    main()
