"""Scaling on paper: one device's measured step time, and a ring all-reduce model for N workers.

    python benchmarks/scaling.py                                  # TensorFlow, the three networks
    KERAS_BACKEND=jax python benchmarks/scaling.py --networks minivggnet64   # the same on JAX

For each network, `plain` images/s of `model.fit` on one device (no strategy, no callbacks) over
random images held in memory, per-device batch `--batch-size` (32), timed over `--steps` steps
after an untimed warm-up fit (tracing and compiling), `--repeats` times interleaved, reported as
min / median / max:

- minivggnet64: MiniVGGNet at 64x64, 17 classes (the flagship, 8.47M parameters);
- minivggnet32: MiniVGGNet at 32x32, 10 classes (the CIFAR-10 chapter's, 2.17M parameters);
- resnet56: the CIFAR-10 ResNet, stages (9, 9, 9), filters (64, 64, 128, 256) (0.89M parameters).

Then, for every network, a model (not a measurement) of data-parallel training on N workers,
one device each: a step computes for the measured step time and then all-reduces the float32
gradients with a ring, 2(N-1)/N x gradient bytes / bandwidth (the bandwidth term only: no
latency term, no overlap of communication with the backward pass, no input pipeline), so the
scaling efficiency is step / (step + all-reduce). Compute grows with the per-device batch and
the all-reduce doesn't, so the last column is the per-device batch at which the all-reduce
is a tenth of the step (90% efficiency), assuming the step time grows linearly with the batch.
"""

import argparse
import os
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from benchmarks import harness, training  # noqa: E402

WORKERS = (2, 4, 8, 16, 32, 64)
BANDWIDTHS_GBIT = (10, 25, 100)
TARGET_EFFICIENCY = 0.9
NETWORKS = ("minivggnet64", "minivggnet32", "resnet56")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--networks", nargs="+", choices=NETWORKS, default=list(NETWORKS))
    parser.add_argument("--batch-size", type=int, default=32, help="per device")
    parser.add_argument("--steps", type=int, default=40, help="timed steps per repeat")
    parser.add_argument("--repeats", type=int, default=3)
    return parser.parse_args()


def build(network):
    from pyimagesearch.nn.conv import MiniVGGNet, resnet

    if network == "minivggnet64":
        return MiniVGGNet.build(64, 64, 3, 17), (64, 64, 3), 17
    if network == "minivggnet32":
        return MiniVGGNet.build(32, 32, 3, 10), (32, 32, 3), 10
    return resnet.ResNet.build(32, 32, 3, 10, (9, 9, 9), (64, 64, 128, 256)), (32, 32, 3), 10


def measured_path(network, batch_size, steps):
    """A function timing `steps` steps of one model's fit (built and warmed up once), in images/s."""
    import keras
    import numpy as np

    model, shape, classes = build(network)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="categorical_crossentropy")
    random = np.random.default_rng(0)
    images = random.random((batch_size * steps, *shape), dtype=np.float32)
    labels = keras.utils.to_categorical(random.integers(0, classes, batch_size * steps), classes)
    model.fit(images[: batch_size * 2], labels[: batch_size * 2], batch_size=batch_size, epochs=1, verbose=0)

    def images_per_second():
        started = time.perf_counter()
        model.fit(images, labels, batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
        return len(images) / (time.perf_counter() - started)

    return images_per_second, model.count_params()


def allreduce_seconds(gradient_bytes, workers, gigabits_per_second):
    return 2 * (workers - 1) / workers * gradient_bytes * 8 / (gigabits_per_second * 1e9)


def scaling_rows(network, parameters, step_seconds, batch_size):
    """One row per bandwidth: the all-reduce time and the efficiency for each worker count, and
    the per-device batch that reaches TARGET_EFFICIENCY on the most workers."""
    gradient_bytes = 4 * parameters  # float32 gradients
    seconds_per_image = step_seconds / batch_size
    rows = []
    for bandwidth in BANDWIDTHS_GBIT:
        cells = []
        for workers in WORKERS:
            communication = allreduce_seconds(gradient_bytes, workers, bandwidth)
            cells.append(f"{communication * 1e3:.1f} ms, {step_seconds / (step_seconds + communication):.0%}")
        communication = allreduce_seconds(gradient_bytes, WORKERS[-1], bandwidth)
        batch_for_target = TARGET_EFFICIENCY / (1 - TARGET_EFFICIENCY) * communication / seconds_per_image
        rows.append([network, f"{parameters / 1e6:.2f}M", f"{step_seconds * 1e3:.0f}", bandwidth, *cells,
                     f"{batch_for_target:.0f}"])
    return rows


def main():
    arguments = parse_arguments()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    print(f"CPU: {training.cpu_description()}; Keras {keras.__version__}, backend {keras.backend.backend()}")
    paths, parameters = {}, {}
    for network in arguments.networks:
        paths[network], parameters[network] = measured_path(network, arguments.batch_size, arguments.steps)
    speeds = harness.interleaved(paths, arguments.repeats, report=print)
    print(f"\nplain fit on one device, per-device batch {arguments.batch_size}, {arguments.steps} steps a repeat, "
          f"{arguments.repeats} repeats (min / median / max)\n")
    print(harness.markdown_table(
        ["network", "parameters", "images/s", "step time (ms)"],
        [[network, f"{parameters[network] / 1e6:.2f}M", harness.format_triple(values),
          harness.format_triple([arguments.batch_size / value * 1e3 for value in values])]
         for network, values in speeds.items()],
    ))
    rows = []
    for network, values in speeds.items():
        step_seconds = arguments.batch_size / harness.summary(values)[1]
        rows += scaling_rows(network, parameters[network], step_seconds, arguments.batch_size)
    print(f"\nA model, not a measurement: all-reduce time and scaling efficiency per worker count (ring "
          f"all-reduce of float32 gradients, no overlap, no latency term), the median step time above at "
          f"per-device batch {arguments.batch_size}\n")
    print(harness.markdown_table(
        ["network", "parameters", "step (ms)", "Gb/s", *(f"{workers} workers" for workers in WORKERS),
         f"per-device batch for {TARGET_EFFICIENCY:.0%} at {WORKERS[-1]}"],
        rows,
    ))


if __name__ == "__main__":
    main()
