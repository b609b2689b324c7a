"""Training speed: this project's training path against a plain `model.fit`, per precision.

    python benchmarks/training.py                               # both networks, float32 and mixed_bfloat16
    python benchmarks/training.py --precisions float32 --repeats 5
    python benchmarks/training.py --quick                       # 1 repeat, few images: a smoke test

For each network (MiniVGGNet at 64x64 with 17 classes, the flagship; MiniVGGNet at 32x32 with 10
classes, the CIFAR-10 chapter's) and each precision, images/s of one training epoch, timed
after one untimed warm-up epoch (tracing), over the same uint8 images held in memory:

- plain: `model.fit(x, y, batch_size=32)` on float32 arrays already scaled to [0, 1] and
  one-hot labels, no callbacks, no strategy: the ceiling for this model on this machine;
- ours: the flagship's training path without augmentation: `pipeline.make_array_dataset`
  (keyed shuffle, scaling and one-hot in the tf.data map), the model built and fitted inside
  `strategy.get_strategy()`, and the run's callbacks (`fitting.run_callbacks`: NaN check,
  TrainingMonitor writing history.json and its plot every epoch, EpochCheckpoint,
  BestModelCheckpoint on the training loss, since no validation set is timed) plus the
  pipeline's `EpochSeeds`;
- ours+aug: the same with the flagship's `build_augmentation()` in the map (what a default
  flagship run does), so the augmentation's cost per step shows;
- ours-spe (with --steps-per-execution N): ours compiled with `steps_per_execution=N`;
- with --paired N: instead of the above, ONE model, built inside the strategy, whose epochs
  rotate between three feeds, N rounds, each feed going first in turn: plain (arrays, no
  callbacks), plain-tfdata (the same float32 arrays as an in-memory `tf.data` input, shuffled,
  batched, prefetched: the issue's own ceiling) and ours (our pipeline and the run's
  callbacks). On some of this project's machines a model stays in a fast or a slow state for
  its life, so only epochs of the same model compare the feeds and callbacks alone;
- with --breakdown, where ours' extra cost comes from: "pipeline" (our tf.data input, plain fit,
  no strategy, no callbacks) and "pipeline+strategy" (the same inside the strategy's scope).

Paths are interleaved (repeat 1 of every path, then repeat 2, ...) and each path keeps its own
model across repeats, so later repeats time steady-state epochs; ratios are taken per repeat.
The images are random: speed does not depend on what they show. The CPU's model name and its
bfloat16 flags head the output; name them next to every figure.
"""

import argparse
import os
import pathlib
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from benchmarks import harness  # noqa: E402

SEED = 42
NETWORKS = {  # name -> (image side, classes)
    "minivggnet-64": (64, 17),
    "minivggnet-32": (32, 10),
}
LEARNING_RATE = 0.05


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--networks", nargs="+", default=list(NETWORKS), choices=list(NETWORKS))
    parser.add_argument("--precisions", nargs="+", default=["float32", "mixed_bfloat16"],
                        choices=["float32", "mixed_bfloat16", "mixed_float16"])
    parser.add_argument("--images", type=int, default=1024, help="images per epoch")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps-per-execution", type=int, default=None, metavar="N",
                        help="also time ours compiled with steps_per_execution=N")
    parser.add_argument("--skip-augmentation", action="store_true", help="leave out ours+aug")
    parser.add_argument("--breakdown", action="store_true", help="also time the pipeline alone and with the strategy")
    parser.add_argument("--paired", type=int, default=0, metavar="N",
                        help="instead: N rounds of one model's epochs, rotating between plain, plain-tfdata and ours")
    parser.add_argument("--quick", action="store_true", help="1 repeat of 128 images: a smoke test")
    return parser.parse_args()


def cpu_description():
    from pyimagesearch.utils import precision

    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), model)
    except OSError:
        pass
    flags = precision.cpu_bfloat16_flags()
    support = ", ".join(flags) if flags else "no avx512_bf16, no amx_bf16 (bfloat16 emulated)"
    return f"{model}, {os.cpu_count()} logical CPUs; {support}"


class Path:
    """One timed path: a model built once, and a function that trains it one more epoch."""

    def __init__(self, name, network, policy, arguments, images, labels, work_dir):
        import keras

        from pyimagesearch.nn.conv import MiniVGGNet
        from pyimagesearch.utils import precision, strategy

        self.name, self.arguments, self.epoch = name, arguments, 0
        side, classes = NETWORKS[network]
        keras.utils.set_random_seed(SEED)
        ours = name != "plain"
        in_strategy = name.startswith("ours") or name == "pipeline+strategy"
        self.distribution = strategy.get_strategy() if in_strategy else None
        with precision.policy_scope(policy), (self.distribution.scope() if in_strategy else _no_scope()):
            self.model = MiniVGGNet.build(width=side, height=side, depth=3, classes=classes)
            self.model.compile(
                optimizer=keras.optimizers.SGD(learning_rate=LEARNING_RATE),
                loss="categorical_crossentropy",
                metrics=["accuracy"],
                steps_per_execution=arguments.steps_per_execution if name == "ours-spe" else 1,
            )
        if ours:
            self._prepare_ours(name, images, labels, classes, work_dir)
        else:
            self.x = images.astype(np.float32) / 255.0
            self.y = keras.utils.to_categorical(labels, classes)

    def _prepare_ours(self, name, images, labels, classes, work_dir):
        from pyimagesearch.io import pipeline
        from pyimagesearch.preprocessing import build_augmentation
        from pyimagesearch.training import fitting

        augmentation = build_augmentation(seed=SEED) if name == "ours+aug" else None
        self.dataset = pipeline.make_array_dataset(
            images, labels, self.arguments.batch_size, pipeline.make_batch_transform(classes, augmentation=augmentation),
            shuffle=True, seed=SEED,
        )
        self.callbacks = pipeline.epoch_callbacks(self.dataset)
        if name.startswith("ours"):
            run_dir = pathlib.Path(tempfile.mkdtemp(prefix=f"{name}-", dir=work_dir))
            self.callbacks = fitting.run_callbacks(run_dir, 0, checkpoint_every=5, monitor="loss") + self.callbacks

    def train_one_epoch(self):
        """Images/s of one more epoch."""
        count = len(self.x) if hasattr(self, "x") else self.arguments.images
        with harness.Stopwatch() as watch:
            if hasattr(self, "x"):
                self.model.fit(self.x, self.y, batch_size=self.arguments.batch_size, epochs=self.epoch + 1,
                               initial_epoch=self.epoch, shuffle=True, verbose=0)
            else:
                self.model.fit(self.dataset, epochs=self.epoch + 1, initial_epoch=self.epoch, callbacks=self.callbacks,
                               shuffle=False, verbose=0)
        self.epoch += 1
        return count / watch.seconds


class _no_scope:
    def __enter__(self):
        return self

    def __exit__(self, *exception):
        return False


def measure(network, policy, arguments, work_dir):
    """{path: [images/s per repeat]} for one network at one precision."""
    side, classes = NETWORKS[network]
    rng = np.random.default_rng(SEED)
    images = rng.integers(0, 256, size=(arguments.images, side, side, 3), dtype=np.uint8)
    labels = rng.integers(0, classes, size=arguments.images)
    names = ["plain", "ours"] + ([] if arguments.skip_augmentation else ["ours+aug"])
    if arguments.steps_per_execution:
        names.append("ours-spe")
    if arguments.breakdown:
        names += ["pipeline", "pipeline+strategy"]
    paths = {name: Path(name, network, policy, arguments, images, labels, work_dir) for name in names}
    for path in paths.values():  # warm-up epoch: tracing, thread pools, first plot
        path.train_one_epoch()
    timed = {name: path.train_one_epoch for name, path in paths.items()}
    return harness.interleaved(timed, arguments.repeats, report=lambda line: print(line, flush=True))


def measure_paired(network, policy, arguments, work_dir):
    """{feed: [images/s per epoch]}: alternating epochs of ONE model, fed three ways in turn."""
    import keras
    import tensorflow as tf

    side, classes = NETWORKS[network]
    rng = np.random.default_rng(SEED)
    images = rng.integers(0, 256, size=(arguments.images, side, side, 3), dtype=np.uint8)
    labels = rng.integers(0, classes, size=arguments.images)
    ours = Path("ours", network, policy, arguments, images, labels, work_dir)
    ours.x, ours.y = images.astype(np.float32) / 255.0, keras.utils.to_categorical(labels, classes)
    # The issue's own ceiling: float32 arrays already in memory as a tf.data input.
    in_memory = (tf.data.Dataset.from_tensor_slices((ours.x, ours.y)).shuffle(len(ours.x), seed=SEED)
                 .batch(arguments.batch_size).prefetch(tf.data.AUTOTUNE))

    def epoch(feed):
        with harness.Stopwatch() as watch:
            if feed == "plain":
                ours.model.fit(ours.x, ours.y, batch_size=arguments.batch_size, epochs=ours.epoch + 1,
                               initial_epoch=ours.epoch, shuffle=True, verbose=0)
            elif feed == "plain-tfdata":
                ours.model.fit(in_memory, epochs=ours.epoch + 1, initial_epoch=ours.epoch, shuffle=False, verbose=0)
            else:
                ours.model.fit(ours.dataset, epochs=ours.epoch + 1, initial_epoch=ours.epoch,
                               callbacks=ours.callbacks, shuffle=False, verbose=0)
        ours.epoch += 1
        return arguments.images / watch.seconds

    feeds = ["plain", "plain-tfdata", "ours"]
    for feed in feeds:  # warm-up: every feed traced once
        epoch(feed)
    results = {feed: [] for feed in feeds}
    for pair in range(arguments.paired):
        for feed in feeds[pair % 3:] + feeds[:pair % 3]:  # each feed goes first in turn
            results[feed].append(epoch(feed))
        print(f"  round {pair + 1}/{arguments.paired}: "
              + ", ".join(f"{feed} {values[-1]:,.0f}" for feed, values in results.items()), flush=True)
    return results


def report(network, policy, results, arguments):
    label = {"plain": "plain fit, arrays in memory, no callbacks", "ours": "ours: flagship pipeline + strategy + run callbacks",
             "ours+aug": "ours + the flagship's augmentation",
             "ours-spe": f"ours, steps_per_execution={arguments.steps_per_execution}",
             "pipeline": "our tf.data input alone (no strategy, no callbacks)",
             "pipeline+strategy": "our tf.data input inside the strategy (no callbacks)",
             "plain-tfdata": "plain fit, float32 arrays in memory as tf.data, no callbacks"}
    count = f"{arguments.paired} rounds of epochs of one model" if arguments.paired else f"{arguments.repeats} repeats"
    print(f"\n#### {network}, {policy}: images/s (min / **median** / max of {count})\n")
    rows = [[label[name], harness.format_triple(values, 1)] for name, values in results.items()]
    for name in results:
        if name != "plain":
            rows.append([f"{name} / plain (per repeat)", harness.format_triple(harness.ratios(results[name], results["plain"]), 3)])
    if "plain-tfdata" in results:
        rows.append(["ours / plain-tfdata (per repeat)",
                     harness.format_triple(harness.ratios(results["ours"], results["plain-tfdata"]), 3)])
    print(harness.markdown_table(["path", "value"], rows))


def main():
    arguments = parse_arguments()
    if arguments.quick:
        arguments.repeats, arguments.images = 1, 128
    print(f"CPU: {cpu_description()}")
    count = f"{arguments.paired} rounds of one model" if arguments.paired else f"{arguments.repeats} repeats"
    print(f"{arguments.images} images an epoch, batch {arguments.batch_size}, {count}\n")
    all_results = {}
    with tempfile.TemporaryDirectory(prefix="training-benchmark-") as work_dir:
        for network in arguments.networks:
            for policy in arguments.precisions:
                print(f"{network}, {policy}:", flush=True)
                measure_one = measure_paired if arguments.paired else measure
                all_results[(network, policy)] = measure_one(network, policy, arguments, work_dir)
                report(network, policy, all_results[(network, policy)], arguments)
                _release()
    summarise(all_results, arguments)


def _release():
    from pyimagesearch.utils import sessions

    sessions.release_models()


def summarise(all_results, arguments):
    """The issue's goals, from the medians."""
    goals = []
    for (network, policy), results in all_results.items():
        median_ratio = harness.summary(harness.ratios(results["ours"], results["plain"]))[1]
        goals.append((f"{network} {policy}: ours / plain fit (goal >= 0.97)", median_ratio, 0.97, True))
        if "plain-tfdata" in results:
            median_ratio = harness.summary(harness.ratios(results["ours"], results["plain-tfdata"]))[1]
            goals.append((f"{network} {policy}: ours / plain fit on tf.data (goal >= 0.97)", median_ratio, 0.97, True))
    for network in arguments.networks:
        if (network, "float32") in all_results and (network, "mixed_bfloat16") in all_results:
            float32 = harness.summary(all_results[(network, "float32")]["ours"])[1]
            bfloat16 = harness.summary(all_results[(network, "mixed_bfloat16")]["ours"])[1]
            goals.append((f"{network}: ours mixed_bfloat16 / ours float32 (1.5 where bfloat16 is native)",
                          bfloat16 / float32, 1.5, True))
    harness.goals_table(goals)


if __name__ == "__main__":
    main()
