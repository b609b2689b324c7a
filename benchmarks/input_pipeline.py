"""Feeding images from HDF5: the course's generator against ours and in-memory arrays.

    python benchmarks/input_pipeline.py                      # synthetic-flowers17 at 64x64, 5 repeats
    python benchmarks/input_pipeline.py --quick              # 1 repeat, short: a smoke test

Four tables, each path measured interleaved with the others, min / median / max:

1. Raw pipeline, images/s through one epoch after a warm-up epoch, batches of 32:
   - course: the course's HDF5DatasetGenerator over its float64 file (contiguous slices in
     file order), per-image scaling, and the course's augmentation step emulated per image
     (benchmarks/coursepaths.py: Keras 2 ImageDataGenerator's random affine, resampled per
     channel with scipy.ndimage, because ImageDataGenerator is gone from Keras 3);
   - ours: `make_hdf5_dataset` over the uint8 file (shuffled slices, vectorised transform,
     `build_augmentation()` in `map`);
   - in-memory: `make_array_dataset` over the same uint8 images held in a NumPy array, with the
     same transform and augmentation as ours;
   each with and without augmentation.
2. Training: MiniVGGNet (64x64, 17 classes, SGD) fed by each path; images/s over the timed
   epochs after one warm-up epoch. The course generator goes through Keras 3's wrapping of
   Python generators (`from_generator`), as course code would.
3. Paired training, HDF5 against in-memory: one model, its epochs alternating between the two
   feeds (which goes first alternates too), so that the machine's drift over minutes, which
   moves separate measurements by 30% here, hits both feeds alike; each pair gives a ratio.
4. Memory: peak resident memory of a fresh process that trains one epoch from HDF5 (ours, with
   augmentation) and from in-memory arrays, at 1x and 10x the images: the whole process's peak,
   and (Linux) the peak after the first 5 batches, when TensorFlow's start-up is over.
"""

import argparse
import os
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from benchmarks import harness  # noqa: E402

RAW_PATHS = {
    "course+aug": "course: Python generator + per-image augmentation",
    "ours+aug": "ours: tf.data over HDF5 + build_augmentation()",
    "memory+aug": "in-memory tf.data + build_augmentation()",
    "course": "course: Python generator, no augmentation",
    "ours": "ours: tf.data over HDF5",
    "memory": "in-memory tf.data",
}
BASELINES = {  # (course-style baseline, in-memory baseline) for each path
    "course+aug": ("course+aug", "memory+aug"),
    "ours+aug": ("course+aug", "memory+aug"),
    "memory+aug": ("course+aug", "memory+aug"),
    "course": ("course", "memory"),
    "ours": ("course", "memory"),
    "memory": ("course", "memory"),
}
SEED = 42


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="synthetic-flowers17", help="catalog name or folder of class folders")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--raw-epochs", type=int, default=3, help="timed passes per raw measurement")
    parser.add_argument("--train-epochs", type=int, default=2, help="timed epochs per training measurement")
    parser.add_argument("--train-paths", nargs="+", default=list(RAW_PATHS), choices=list(RAW_PATHS),
                        help="paths to train from (default: all)")
    parser.add_argument("--memory-scales", type=int, nargs="*", default=[1, 10])
    parser.add_argument("--pairs", type=int, default=6, help="epoch pairs per feed kind in the paired section")
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=["raw", "train", "paired", "memory"], help="sections to leave out"
    )
    parser.add_argument("--work-dir", default=str(harness.DEFAULT_WORK_DIR))
    parser.add_argument("--quick", action="store_true", help="1 repeat, 1 timed epoch, no memory section")
    parser.add_argument("--child", choices=["ours+aug", "memory+aug"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    return parser.parse_args()


def prepare_files(arguments, scale=1):
    """Our uint8 file of every image and the course's float64 copy (same rows, same order)."""
    from pyimagesearch.datasets import imagefiles
    from pyimagesearch.io import builder

    work_dir = pathlib.Path(arguments.work_dir)
    folder = harness.flowers_folder(arguments.dataset, work_dir, scale)
    output = work_dir / f"{pathlib.Path(folder).name}-{arguments.size}-hdf5"
    if not output.is_dir():
        paths, labels = imagefiles.list_labelled_images(folder)
        builder.build_hdf5_dataset(
            paths, labels, output, arguments.size, arguments.size, val_size=0, test_size=0, seed=SEED, progress=True
        )
    ours = output / "train.hdf5"
    course = output / "course_float64.hdf5"
    if scale == 1 and not course.exists():
        _write_course_copy(ours, course)
    return ours, course


def _write_course_copy(ours, course):
    import h5py

    from benchmarks import coursepaths

    with h5py.File(ours, "r") as source:
        images, labels = source["images"], source["labels"]
        names = [name.decode() if isinstance(name, bytes) else name for name in source["label_names"][...]]
        partial = course.with_suffix(".partial")
        writer = coursepaths.CourseHDF5DatasetWriter(images.shape, str(partial))
        writer.store_class_labels(names)
        for start in range(0, images.shape[0], 1000):
            writer.add(list(images[start : start + 1000]), list(labels[start : start + 1000]))
        writer.close()
        os.replace(partial, course)


class Feeds:
    """Builds every path's data feed over the same images."""

    def __init__(self, arguments, ours, course):
        import h5py

        from pyimagesearch.io import hdf5format

        self.arguments = arguments
        self.ours, self.course = ours, course
        info = hdf5format.read_dataset_info(ours)
        self.classes, self.rows = info["classes"], info["rows"]
        with h5py.File(ours, "r") as handle:
            self.images, self.labels = handle["images"][...], handle["labels"][...]

    def augmentation(self):
        from pyimagesearch.preprocessing import build_augmentation

        return build_augmentation(seed=SEED)

    def tf_data(self, path):
        """A tf.data.Dataset (ours, memory) or (generator factory, steps) for the course path."""
        from pyimagesearch.io import hdf5pipeline, pipeline

        batch = self.arguments.batch_size
        augment = path.endswith("+aug")
        if path.startswith("ours"):
            return hdf5pipeline.make_hdf5_dataset(
                self.ours, batch, training=True, seed=SEED, augmentation=self.augmentation() if augment else None
            )
        transform = pipeline.make_batch_transform(self.classes, augmentation=self.augmentation() if augment else None)
        return pipeline.make_array_dataset(self.images, self.labels, batch, transform, shuffle=True, seed=SEED)

    def course_generator(self, augment):
        from benchmarks import coursepaths

        generator = coursepaths.CourseHDF5DatasetGenerator(
            str(self.course),
            self.arguments.batch_size,
            preprocessors=[coursepaths.ScalePreprocessor()],
            aug=coursepaths.CourseAugmentation(seed=SEED) if augment else None,
            classes=self.classes,
        )
        return generator


def raw_rate(feeds, path, epochs):
    """Images/s through `epochs` passes after one untimed warm-up pass."""
    if path.startswith("course"):
        generator = feeds.course_generator(path.endswith("+aug"))
        steps = -(-generator.num_images // feeds.arguments.batch_size)
        iterator = generator.generator()
        for _ in range(steps):  # warm-up pass
            next(iterator)
        images = 0
        with harness.Stopwatch() as watch:
            for _ in range(steps * epochs):
                images += len(next(iterator)[0])
        generator.close()
        return images / watch.seconds
    dataset = feeds.tf_data(path)
    for _ in dataset:  # warm-up pass: tracing, thread pools
        pass
    images = 0
    with harness.Stopwatch() as watch:
        for _ in range(epochs):
            for batch, _ in dataset:
                images += int(batch.shape[0])
    return images / watch.seconds


def train_rate(feeds, path, epochs):
    """Images/s of MiniVGGNet training over `epochs` epochs after a warm-up epoch."""
    import keras

    from pyimagesearch.nn.conv import MiniVGGNet

    keras.backend.clear_session()
    keras.utils.set_random_seed(SEED)
    size = feeds.arguments.size
    model = MiniVGGNet.build(width=size, height=size, depth=3, classes=feeds.classes)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="categorical_crossentropy", metrics=["accuracy"])
    timer = _EpochTimer()
    keywords = {"epochs": epochs + 1, "verbose": 0, "callbacks": [timer]}
    if path.startswith("course"):
        generator = feeds.course_generator(path.endswith("+aug"))
        steps = -(-generator.num_images // feeds.arguments.batch_size)
        model.fit(generator.generator(), steps_per_epoch=steps, **keywords)
        generator.close()
    else:
        model.fit(feeds.tf_data(path), **keywords)
    return feeds.rows * epochs / sum(timer.seconds[1:])


class _EpochTimer:
    """A minimal callback recording each epoch's wall time (set_model etc. via Callback)."""

    def __new__(cls):
        import keras

        class EpochTimer(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.seconds = []

            def on_epoch_begin(self, epoch, logs=None):
                self._start = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                self.seconds.append(time.perf_counter() - self._start)

        return EpochTimer()


def paired_rates(feeds, ours_path, memory_path, pairs):
    """Images/s of one MiniVGGNet whose epochs alternate between two feeds: {path: [rate per epoch]}."""
    import keras

    from pyimagesearch.nn.conv import MiniVGGNet

    keras.backend.clear_session()
    keras.utils.set_random_seed(SEED)
    size = feeds.arguments.size
    model = MiniVGGNet.build(width=size, height=size, depth=3, classes=feeds.classes)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="categorical_crossentropy", metrics=["accuracy"])
    datasets = {path: feeds.tf_data(path) for path in (ours_path, memory_path)}
    for dataset in datasets.values():  # warm-up: tracing, thread pools
        model.fit(dataset, epochs=1, verbose=0)
    rates = {path: [] for path in datasets}
    for index in range(pairs):
        order = (ours_path, memory_path) if index % 2 == 0 else (memory_path, ours_path)
        for path in order:
            with harness.Stopwatch() as watch:
                model.fit(datasets[path], epochs=1, verbose=0)
            rates[path].append(feeds.rows / watch.seconds)
            print(f"  pair {index + 1}/{pairs}  {path}: {rates[path][-1]:,.0f}", flush=True)
    return rates


def paired_section(feeds, arguments):
    results, goals = {}, []
    for kind, ours_path, memory_path in (("with augmentation", "ours+aug", "memory+aug"), ("no augmentation", "ours", "memory")):
        results.update(paired_rates(feeds, ours_path, memory_path, arguments.pairs))
        goals.append((f"paired training from HDF5 >= 0.97x in-memory, {kind}", median_ratio(results, ours_path, memory_path), 0.97, True))
    paths = {path: RAW_PATHS[path] for path in results}
    table(f"Paired training MiniVGGNet, {feeds.rows} images, batch {arguments.batch_size}, {arguments.pairs} epoch pairs", results, paths)
    harness.goals_table(goals)


def median_ratio(results, path, baseline):
    import statistics

    return statistics.median(harness.ratios(results[path], results[baseline]))


def table(title, results, paths, unit="images/s"):
    rows = []
    for path, label in paths.items():
        ratios = [
            harness.format_triple(harness.ratios(results[path], results[baseline]), 2, "x") if baseline in results else "-"
            for baseline in BASELINES[path]
        ]
        rows.append([label, harness.format_triple(results[path]), *ratios])
    print(f"\n### {title}\n")
    print(harness.markdown_table(
        ["path", f"{unit} (min / **median** / max)", "vs course (same augmentation)", "vs in-memory (same augmentation)"],
        rows,
    ))


def child(arguments):
    """Trains one epoch from HDF5 or from in-memory arrays; emits the peak memory."""
    import h5py

    from pyimagesearch.io import hdf5format, hdf5pipeline, pipeline
    from pyimagesearch.nn.conv import MiniVGGNet
    from pyimagesearch.preprocessing import build_augmentation

    info = hdf5format.read_dataset_info(arguments.file)
    augmentation = build_augmentation(seed=SEED)
    if arguments.child == "ours+aug":
        dataset = hdf5pipeline.make_hdf5_dataset(arguments.file, arguments.batch_size, training=True, augmentation=augmentation)
    else:
        with h5py.File(arguments.file, "r") as handle:
            images, labels = handle["images"][...], handle["labels"][...]
        transform = pipeline.make_batch_transform(info["classes"], augmentation=augmentation)
        dataset = pipeline.make_array_dataset(images, labels, arguments.batch_size, transform, shuffle=True)
    size = info["row_shape"][0]
    model = MiniVGGNet.build(width=size, height=size, depth=3, classes=info["classes"])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    with harness.Stopwatch() as watch:
        model.fit(dataset, epochs=1, verbose=0, callbacks=[_PeakReset(after_batches=5)])
    own, _ = harness.peak_rss_mb()
    harness.emit_result({
        "rss": own, "training_rss": harness.peak_rss_since_reset_mb(), "images": info["rows"],
        "images_per_second": info["rows"] / watch.seconds,
    })


class _PeakReset:
    """Resets the process's peak-RSS mark once the first batches (tracing, compilation) are done.

    The whole-process peak is set by TensorFlow's start-up, the same for every feed; the peak
    after the reset shows what holding the data costs while training.
    """

    def __new__(cls, after_batches):
        import keras

        class PeakReset(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                if batch + 1 == after_batches:
                    harness.reset_peak_rss()

        return PeakReset()


def memory_section(arguments):
    rows = []
    baselines, last = {}, {}
    for scale in arguments.memory_scales:
        ours, _ = prepare_files(arguments, scale)
        for path in ("ours+aug", "memory+aug"):
            result = harness.run_child(
                pathlib.Path(__file__),
                ["--child", path, "--file", str(ours), "--batch-size", str(arguments.batch_size), "--work-dir", arguments.work_dir],
            )
            baselines.setdefault(path, result)
            last[path] = result
            first = baselines[path]
            rows.append([
                f"{scale}x ({result['images']:,} images)",
                RAW_PATHS[path],
                f"{result['images_per_second']:,.0f}",
                f"{result['rss']:,.0f} ({result['rss'] / first['rss']:.2f}x)",
                f"{result['training_rss']:,.0f} ({result['training_rss'] / first['training_rss']:.2f}x)",
            ])
    print("\n### Training one epoch: peak memory as the data set grows\n")
    print(harness.markdown_table(
        ["data set", "feed", "images/s", "peak RSS MB, whole process (vs 1x)", "peak RSS MB after 5 batches (vs 1x)"], rows
    ))
    if len(arguments.memory_scales) > 1:
        scale = arguments.memory_scales[-1]
        harness.goals_table([
            (f"training from HDF5: peak RSS at {scale}x within 20% of 1x (ratio)",
             last["ours+aug"]["rss"] / baselines["ours+aug"]["rss"], 1.2, False),
            (f"training from HDF5: peak RSS after 5 batches at {scale}x within 20% of 1x (ratio)",
             last["ours+aug"]["training_rss"] / baselines["ours+aug"]["training_rss"], 1.2, False),
        ])


def main():
    arguments = parse_arguments()
    pathlib.Path(arguments.work_dir).mkdir(parents=True, exist_ok=True)
    if arguments.child:
        child(arguments)
        return
    if arguments.quick:
        arguments.repeats, arguments.raw_epochs, arguments.train_epochs, arguments.pairs = 1, 1, 1, 1
        arguments.memory_scales = []
    ours, course = prepare_files(arguments)
    feeds = Feeds(arguments, ours, course)
    print(f"[INFO] {feeds.rows} images at {arguments.size}x{arguments.size}, batch {arguments.batch_size}, "
          f"{arguments.repeats} interleaved repeats, {os.cpu_count()} CPUs")
    if "raw" not in arguments.skip:
        results = harness.interleaved(
            {path: (lambda path=path: raw_rate(feeds, path, arguments.raw_epochs)) for path in RAW_PATHS},
            arguments.repeats,
            report=print,
        )
        table(f"Raw pipeline, {feeds.rows} images, batch {arguments.batch_size}", results, RAW_PATHS)
        harness.goals_table([
            ("with augmentation: ours >= 10x the course generator", median_ratio(results, "ours+aug", "course+aug"), 10, True),
            ("without augmentation: ours >= 0.6x in-memory tf.data", median_ratio(results, "ours", "memory"), 0.6, True),
        ])
    if "train" not in arguments.skip:
        results = harness.interleaved(
            {path: (lambda path=path: train_rate(feeds, path, arguments.train_epochs)) for path in arguments.train_paths},
            arguments.repeats,
            report=print,
        )
        paths = {path: label for path, label in RAW_PATHS.items() if path in results}
        table(f"Training MiniVGGNet, {feeds.rows} images, batch {arguments.batch_size}", results, paths)
        goals = [
            (f"training from HDF5 >= 0.97x in-memory, {kind}", median_ratio(results, ours, memory), 0.97, True)
            for kind, ours, memory in (("with augmentation", "ours+aug", "memory+aug"), ("no augmentation", "ours", "memory"))
            if ours in results and memory in results
        ]
        if goals:
            harness.goals_table(goals)
    if "paired" not in arguments.skip:
        paired_section(feeds, arguments)
    if "memory" not in arguments.skip and arguments.memory_scales:
        memory_section(arguments)


if __name__ == "__main__":
    main()
