"""Seconds per Tiny ImageNet epoch on this machine, from a few hundred timed steps at the real sizes.

    python benchmarks/tiny_imagenet_epoch.py --network resnet --steps 300
    python benchmarks/tiny_imagenet_epoch.py --network deepergooglenet --steps 100

The real epoch is too long to time whole on 2 CPU cores, so this times steps of the Tiny
ImageNet experiments' own training path and extrapolates. The data are random uint8 64x64
images with 200 classes, written to HDF5 files as `build_dataset.py` writes them (speed does
not depend on what the pixels show); they are fed through `tinyimagenetpipeline` exactly as
train.py feeds them (keyed shuffle, the course's augmentation, mean subtraction), into the
experiment's network and optimizer (DeeperGoogLeNet with Adam 1e-3, L2 5e-4; ResNet (3,4,6) /
(64,128,256,512) with SGD 0.1 momentum 0.9, L2 5e-4), built inside `strategy.get_strategy()`.

It times every training step (`on_train_batch_begin` to `on_train_batch_end`) after `--warmup`
untimed ones (tracing), and every validation batch of `model.evaluate` (what `fit`'s
validation runs) after one untimed pass, then extrapolates with the medians to the real split
sizes: 90,000 training images (500 a class minus the 50 held out for val) and 10,000 val images,
both in batches of 64, the last one smaller. Callbacks' per-epoch work (history plot, best-model
and 5-epoch checkpoints, a few seconds) is not included. The CPU and the precision head the
output; name them next to every figure.
"""

import argparse
import math
import os
import pathlib
import statistics
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from benchmarks import harness  # noqa: E402
from benchmarks import training as training_benchmark  # noqa: E402

CLASSES = 200
SIDE = 64
REAL_TRAIN_IMAGES = 200 * (500 - 50)
REAL_VAL_IMAGES = 200 * 50
SCHEDULES = {"deepergooglenet": 40, "resnet": 75}  # the course's epochs
L2 = 5e-4
SEED = 42


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--network", choices=sorted(SCHEDULES), required=True)
    parser.add_argument("--steps", type=int, default=300, help="timed training steps")
    parser.add_argument("--warmup", type=int, default=5, help="untimed training steps first")
    parser.add_argument("--val-batches", type=int, default=20, help="timed validation batches")
    parser.add_argument("--batch-size", type=int, default=64, help="the experiments' (per replica)")
    parser.add_argument("--precision", choices=["float32", "mixed_bfloat16", "mixed_float16"], default="float32")
    return parser.parse_args()


def write_random_split(path, rows, mean=None):
    from pyimagesearch.io.hdf5datasetwriter import HDF5DatasetWriter

    random = np.random.default_rng(SEED + rows)
    with HDF5DatasetWriter((rows, SIDE, SIDE, 3), path, mean=mean) as writer:
        writer.store_class_labels([f"class{index:03d}" for index in range(CLASSES)])
        for start in range(0, rows, 1024):
            count = min(1024, rows - start)
            writer.add(random.integers(0, 256, (count, SIDE, SIDE, 3), dtype=np.uint8),
                       random.integers(0, CLASSES, count))
        return writer.mean


def build_model(network, distribution):
    """The experiment's network and optimizer (as its train.py builds them), inside the strategy."""
    import keras

    from pyimagesearch.nn.conv import DeeperGoogLeNet, ResNet

    with distribution.scope():
        if network == "deepergooglenet":
            model = DeeperGoogLeNet.build(width=SIDE, height=SIDE, depth=3, classes=CLASSES, reg=L2)
            optimizer = keras.optimizers.Adam(learning_rate=1e-3)
        else:
            model = ResNet.build(SIDE, SIDE, 3, CLASSES, (3, 4, 6), (64, 128, 256, 512), reg=L2, dataset="tiny_imagenet")
            optimizer = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
        model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


class BatchTimes:
    """Seconds of every training or test batch, from its begin to its end callback."""

    def __init__(self):
        import keras

        times = self

        class Callback(keras.callbacks.Callback):
            def on_train_batch_begin(self, batch, logs=None):
                times._start = time.perf_counter()

            def on_train_batch_end(self, batch, logs=None):
                times.train.append(time.perf_counter() - times._start)

            def on_test_batch_begin(self, batch, logs=None):
                times._start = time.perf_counter()

            def on_test_batch_end(self, batch, logs=None):
                times.test.append(time.perf_counter() - times._start)

        self.train, self.test, self._start = [], [], None
        self.callback = Callback()


def batches(images, batch_size):
    return math.ceil(images / batch_size)


def main():
    arguments = parse_arguments()
    import keras

    from pyimagesearch.io import pipeline, tinyimagenetpipeline
    from pyimagesearch.utils import precision, strategy

    print(f"CPU: {training_benchmark.cpu_description()}")
    print(f"network {arguments.network}, precision {arguments.precision}, batch {arguments.batch_size}, "
          f"{arguments.warmup} untimed + {arguments.steps} timed training steps, {arguments.val_batches} timed val batches")
    keras.utils.set_random_seed(SEED)
    distribution = strategy.get_strategy()
    global_batch = pipeline.global_batch_size(arguments.batch_size, distribution)
    with tempfile.TemporaryDirectory(prefix="tiny-imagenet-epoch-") as folder:
        folder = pathlib.Path(folder)
        mean = write_random_split(folder / "train.hdf5", (arguments.warmup + arguments.steps) * global_batch)
        write_random_split(folder / "val.hdf5", arguments.val_batches * global_batch, mean=mean)
        train, val = tinyimagenetpipeline.make_tiny_imagenet_datasets(folder, global_batch, SEED)
        times = BatchTimes()
        with precision.policy_scope(precision.resolve(arguments.precision).policy):
            model = build_model(arguments.network, distribution)
            model.fit(train, epochs=1, callbacks=[times.callback] + pipeline.epoch_callbacks(train), shuffle=False, verbose=0)
            model.evaluate(val, verbose=0)  # untimed: tracing
            times.test.clear()
            model.evaluate(val, callbacks=[times.callback], verbose=0)
    report(arguments, times.train[arguments.warmup:], times.test, global_batch)


def report(arguments, train_times, test_times, global_batch):
    step, val_batch = statistics.median(train_times), statistics.median(test_times)
    print(f"training step: min {min(train_times):.3f} / median {step:.3f} / max {max(train_times):.3f} s "
          f"({global_batch / step:.1f} images/s at the median)")
    print(f"val batch:     min {min(test_times):.3f} / median {val_batch:.3f} / max {max(test_times):.3f} s")
    train_steps, val_steps = batches(REAL_TRAIN_IMAGES, global_batch), batches(REAL_VAL_IMAGES, global_batch)
    epoch = train_steps * step + val_steps * val_batch
    epochs = SCHEDULES[arguments.network]
    print(f"epoch at the real size: {train_steps} steps x {step:.3f} s + {val_steps} val batches x {val_batch:.3f} s "
          f"= {train_steps * step:.0f} + {val_steps * val_batch:.0f} = {epoch:.0f} s ({epoch / 3600:.2f} h)")
    print(f"the course's {epochs} epochs: {epochs} x {epoch:.0f} s = {epochs * epoch:.0f} s ({epochs * epoch / 3600:.1f} h)")


if __name__ == "__main__":
    main()
