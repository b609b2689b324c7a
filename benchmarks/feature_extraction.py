"""Feature extraction: the course's loop against our tf.data extraction, float32 and bfloat16.

    python benchmarks/feature_extraction.py                   # VGG16 224x224, 256 images, 3 repeats
    python benchmarks/feature_extraction.py --quick           # 32 images, 1 repeat: a correctness run

Three tables, printed as Markdown:

1. Speed, images/s over the same images (synthetic-flowers17 by default; random weights, since
   ImageNet weights need a download; the speed is the same), each path measured interleaved
   with the others, min / median / max over the repeats:
   - course: the course's extract_features.py loop, one process: per image `cv2.imread`,
     resize, BGR->RGB, `preprocess_input` in NumPy (the course used Keras 2's `load_img`, which
     needs PIL), then `model.predict` per batch and the course's HDF5 writer (float64 rows);
   - ours float32: `extract_features` (tf.data decoding in parallel, prefetch, writer thread);
   - bare predict float32: `model.predict` alone on the same batches, preprocessed beforehand
     and held in memory: the ceiling for any extraction at this precision;
   - ours bfloat16 and bare predict bfloat16: the same under "mixed_bfloat16";
   - pipeline float32: ours with the network swapped for a stand-in of next to no cost (same
     feature size), so it times everything else: decoding, preprocessing, HDF5 writing. On a
     machine as noisy as this project's, this bounds the pipeline's cost more steadily than the
     ratio of two long runs: 1 / (1 + bare / pipeline) is what ours would reach with no overlap.
   Goals: ours float32 >= 0.95x bare predict float32; ours bfloat16 >= 6x the course.
2. bfloat16's accuracy cost on a modest number of images: cosine similarity and relative
   difference of the features against float32 (same weights), and logistic regression on
   each (C grid-searched, the course's 75/25 index split of the shuffled rows).
3. float16 in HDF5: writing float32 rows into a float16 dataset through h5py's own
   conversion against casting with NumPy first, and how many values h5py stores wrongly.
"""

import argparse
import os
import pathlib
import shutil
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from benchmarks import harness  # noqa: E402
from pyimagesearch.utils import precision as precision_module  # noqa: E402

SEED = 42
# The precision in a path's name -> the Keras policy its backbone is built under.
POLICIES = {"float32": "float32", "bfloat16": "mixed_bfloat16"}
SPEED_PATHS = {
    "course": "course loop: per-image NumPy preprocessing, model.predict, float64 writer",
    "ours-float32": "ours, float32: tf.data decode + prefetch, writer thread",
    "bare-float32": "bare model.predict, float32, preprocessed batches in memory",
    "ours-bfloat16": "ours, bfloat16",
    "bare-bfloat16": "bare model.predict, bfloat16, preprocessed batches in memory",
    "pipeline-float32": "ours with a stand-in network of no cost (same feature size): decode, preprocess, write",
}


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="synthetic-flowers17", help="catalog name or folder of class folders")
    parser.add_argument("--backbone", default="vgg16")
    parser.add_argument("--weights", default="none", help="none (default: no download), imagenet or a weights file")
    parser.add_argument("--image-size", type=int, default=None, help="default: the network's (224 for VGG16)")
    parser.add_argument("--images", type=int, default=256, help="images per speed measurement")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--accuracy-images-per-class", type=int, default=20)
    parser.add_argument("--float16-rows", type=int, default=4000, help="rows of 4,096 values for the float16 table")
    parser.add_argument("--skip", nargs="*", default=[], choices=["speed", "accuracy", "float16"])
    parser.add_argument("--paths", nargs="+", default=list(SPEED_PATHS), choices=list(SPEED_PATHS),
                        help="speed paths to measure (default: all)")
    parser.add_argument("--work-dir", default=str(harness.DEFAULT_WORK_DIR / "feature_extraction"))
    parser.add_argument(
        "--quick", action="store_true",
        help="a correctness run: 64x64 input (unless --image-size), 32 images, 1 repeat, 8 images per class, 500 rows",
    )
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.image_size = arguments.image_size or 64
        arguments.images, arguments.repeats = 32, 1
        arguments.accuracy_images_per_class, arguments.float16_rows = 8, 500
    return arguments


def cpu_description():
    """The CPU model and whether it computes bfloat16 natively (AMX or AVX512-BF16)."""
    from pyimagesearch.transfer import features

    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    native = precision_module.cpu_has_native_bfloat16()
    support = {True: "native bfloat16 (AMX or AVX512-BF16)", False: "NO native bfloat16", None: "bfloat16 support unknown"}
    return f"{model}, {os.cpu_count()} CPUs, {support[native]}"


def subset_folder(source, work_dir, per_class=None, total=None):
    """A folder of hard links to a class-balanced, seeded subset of `source`'s images."""
    from pyimagesearch.datasets import imagefiles

    paths = imagefiles.list_images(source)
    by_class = {}
    for path in paths:
        by_class.setdefault(pathlib.Path(path).parent.name, []).append(path)
    classes = sorted(by_class)
    if per_class is None:
        per_class = -(-total // len(classes))
    random = np.random.default_rng(SEED)
    chosen = []
    for name in classes:
        candidates = by_class[name]
        chosen += [candidates[index] for index in sorted(random.permutation(len(candidates))[:per_class])]
    if total is not None:
        chosen = [chosen[index] for index in sorted(random.permutation(len(chosen))[:total])]
    target = pathlib.Path(work_dir) / f"{pathlib.Path(source).name}-{len(chosen)}"
    if target.is_dir():
        shutil.rmtree(target)
    for path in chosen:
        destination = target / pathlib.Path(path).parent.name / pathlib.Path(path).name
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, destination)
        except OSError:
            shutil.copyfile(path, destination)
    return target


def course_loop(backbone, paths, labels, output_path, batch_size):
    """The course's extract_features.py, re-created (see the module docstring)."""
    import cv2
    import keras

    from benchmarks.coursepaths import CourseHDF5DatasetWriter

    module = getattr(keras.applications, _application_module(backbone.name))
    size = backbone.image_size
    writer = CourseHDF5DatasetWriter((len(paths), backbone.feature_dim), str(output_path), data_key="features")
    for start in range(0, len(paths), batch_size):
        batch = []
        for path in paths[start : start + batch_size]:
            image = cv2.imread(path)
            image = cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)
            image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB).astype(np.float32)
            batch.append(module.preprocess_input(np.expand_dims(image, axis=0)))
        batch = np.vstack(batch)
        features = backbone.model.predict(batch, batch_size=batch_size, verbose=0)
        writer.add(features.reshape((features.shape[0], backbone.feature_dim)), labels[start : start + batch_size])
    writer.close()


def stand_in_backbone(backbone):
    """`backbone` with its network swapped for one that costs next to nothing (global average
    pooling and a Dense layer) but gives features of the same size: timing extraction with it
    times everything except the network."""
    import dataclasses

    import keras

    size = backbone.image_size
    network = keras.Sequential(
        [keras.Input((size, size, 3)), keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(backbone.feature_dim)],
        name="stand_in",
    )
    return dataclasses.replace(backbone, model=network)


def _application_module(name):
    from pyimagesearch.transfer import features

    return features.APPLICATIONS[name].module


def preprocessed_batches(folder, backbone, batch_size):
    """The exact batches our extraction feeds the network, computed once and kept in memory."""
    from pyimagesearch.transfer import features

    source = features.open_image_source(str(folder), "auto")
    dataset = features.make_image_dataset(source, np.arange(source.count), backbone, batch_size)
    return [np.asarray(images) for images, _ in dataset]


def speed_section(arguments, work_dir, folder):
    from pyimagesearch.datasets import imagefiles, splits
    from pyimagesearch.transfer import features

    images = subset_folder(folder, work_dir, total=arguments.images)
    paths = imagefiles.list_images(images)
    labels = splits.labels_from_paths(paths, splits.class_names_from_paths(paths))
    backbones = {
        precision: features.build_backbone(
            arguments.backbone, weights=arguments.weights, image_size=arguments.image_size, precision=precision
        )
        for precision in ("float32", "mixed_bfloat16")
    }
    backbones["mixed_bfloat16"].model.set_weights(backbones["float32"].model.get_weights())
    batches = preprocessed_batches(images, backbones["float32"], arguments.batch_size)
    print(f"[INFO] speed: {len(paths)} images, {backbones['float32'].description}", flush=True)
    output = pathlib.Path(work_dir) / "speed.hdf5"

    def timed(function):
        def measure():
            started = time.perf_counter()
            function()
            return len(paths) / (time.perf_counter() - started)

        return measure

    def ours(precision, backbone=None):
        # shuffle=False: the source order, as measured before shuffling became the default.
        return lambda: features.extract_features(
            images, output, backbone=backbone or backbones[precision], batch_size=arguments.batch_size,
            shuffle=False, overwrite=True, progress=False, verbose=False,
        )

    def bare(precision):
        def run():
            for batch in batches:
                backbones[precision].model.predict(batch, batch_size=len(batch), verbose=0)

        return run

    def course():
        if output.exists():
            output.unlink()
        course_loop(backbones["float32"], paths, labels, output, arguments.batch_size)

    paths_to_time = {
        "course": timed(course),
        "ours-float32": timed(ours("float32")),
        "bare-float32": timed(bare("float32")),
        "ours-bfloat16": timed(ours("mixed_bfloat16")),
        "bare-bfloat16": timed(bare("mixed_bfloat16")),
        "pipeline-float32": timed(ours("float32", stand_in_backbone(backbones["float32"]))),
    }
    paths_to_time = {name: function for name, function in paths_to_time.items() if name in arguments.paths}
    # Warm-up: the first call of each path traces its graph; a long run pays that once.
    used = {"float32" if name == "course" else POLICIES[name.split("-")[1]] for name in paths_to_time}
    for precision in sorted(used):
        backbones[precision].predict(batches[0])
        backbones[precision].model.predict(batches[0], verbose=0)
    results = harness.interleaved(paths_to_time, arguments.repeats, report=lambda line: print(line, flush=True))
    rows = [[SPEED_PATHS[name], harness.format_triple(values, 1)] for name, values in results.items()]
    ratio_rows = [
        ["ours float32 / bare predict float32 (goal >= 0.95)", "ours-float32", "bare-float32"],
        ["ours bfloat16 / bare predict bfloat16", "ours-bfloat16", "bare-bfloat16"],
        ["ours float32 / course", "ours-float32", "course"],
        ["ours bfloat16 / course (goal >= 6)", "ours-bfloat16", "course"],
    ]
    ratio_rows = [
        [name, results[first], results[second]]
        for name, first, second in ratio_rows
        if first in results and second in results
    ]
    ratio_rows = [[name, harness.format_triple(harness.ratios(a, b), 2, "x")] for name, a, b in ratio_rows]
    if "pipeline-float32" in results and "bare-float32" in results:
        # Everything but the network costs 1/pipeline seconds per image, the network 1/bare; even
        # run one after the other, with no overlap at all, they would give 1 / (1 + bare/pipeline).
        no_overlap = [
            1 / (1 + bare / pipeline) for bare, pipeline in zip(results["bare-float32"], results["pipeline-float32"])
        ]
        ratio_rows.append(
            ["ours float32 / bare predict float32 if nothing overlapped: 1 / (1 + bare / pipeline)",
             harness.format_triple(no_overlap, 3, "x")]
        )
    if {"pipeline-float32", "bare-bfloat16", "ours-bfloat16"} <= set(results):
        # The same bound for bfloat16, and how close ours comes to it (goal: at least 0.95 of it).
        bounds = [1 / (1 + bare / pipeline) for bare, pipeline in zip(results["bare-bfloat16"], results["pipeline-float32"])]
        achieved = [ours / bare / bound for ours, bare, bound in
                    zip(results["ours-bfloat16"], results["bare-bfloat16"], bounds)]
        ratio_rows.append(["bfloat16 bound if nothing overlapped: 1 / (1 + bare bfloat16 / pipeline)",
                           harness.format_triple(bounds, 3, "x")])
        ratio_rows.append(["(ours bfloat16 / bare bfloat16) / that bound (goal >= 0.95)",
                           harness.format_triple(achieved, 3, "x")])
    return (
        harness.markdown_table(["path", "images/s (min / **median** / max)"], rows)
        + "\n\n"
        + harness.markdown_table(["ratio, per repeat", "min / **median** / max"], ratio_rows)
    )


def accuracy_section(arguments, work_dir, folder):
    from sklearn import linear_model

    from pyimagesearch.transfer import classifiers, features

    images = subset_folder(folder, work_dir, per_class=arguments.accuracy_images_per_class)
    float32 = features.build_backbone(
        arguments.backbone, weights=arguments.weights, image_size=arguments.image_size, precision="float32"
    )
    bfloat16 = features.build_backbone(
        arguments.backbone, weights=arguments.weights, image_size=arguments.image_size, precision="mixed_bfloat16"
    )
    bfloat16.model.set_weights(float32.model.get_weights())
    rows, accuracies, data = [], {}, {}
    for name, backbone in (("float32", float32), ("mixed_bfloat16", bfloat16)):
        path = pathlib.Path(work_dir) / f"accuracy-{name}.hdf5"
        features.extract_features(
            images, path, backbone=backbone, batch_size=arguments.batch_size, shuffle=True, seed=SEED,
            overwrite=True, progress=False, verbose=False,
        )
        values, labels, _ = features.load_features(path)
        data[name] = values
    # C is grid-searched on the float32 features and reused for bfloat16, so the two
    # accuracies differ only by the features. Fewer folds when a class has few training rows.
    split = classifiers.index_split(len(labels))
    folds = int(min(3, np.bincount(labels[:split]).min()))
    search = classifiers.fit_logistic_regression(
        data["float32"][:split], labels[:split], c_values=(0.1, 1.0, 10.0), folds=max(folds, 2)
    )
    best_c = search.best_params_["C"]
    for name, values in data.items():
        classifier = linear_model.LogisticRegression(C=best_c, max_iter=classifiers.DEFAULT_MAX_ITER, random_state=SEED)
        classifier.fit(values[:split], labels[:split])
        accuracies[name] = float(np.mean(classifier.predict(values[split:]) == labels[split:]))
    reference, lower = data["float32"], data["mixed_bfloat16"]
    cosine = np.sum(reference * lower, axis=1) / (np.linalg.norm(reference, axis=1) * np.linalg.norm(lower, axis=1))
    relative = np.linalg.norm(lower - reference, axis=1) / np.linalg.norm(reference, axis=1)
    count = len(reference)
    rows.append(["cosine similarity to float32 (min / median per image)", f"{cosine.min():.5f} / {np.median(cosine):.5f}"])
    rows.append(["relative difference norm(bf16 - f32) / norm(f32) (median / max)",
                 f"{100 * np.median(relative):.2f}% / {100 * relative.max():.2f}%"])
    rows.append([f"logistic regression accuracy (C={best_c:g}), float32 features", f"{accuracies['float32']:.4f}"])
    rows.append([f"logistic regression accuracy (C={best_c:g}), bfloat16 features", f"{accuracies['mixed_bfloat16']:.4f}"])
    rows.append(["difference (goal: within 1 point)", f"{100 * (accuracies['mixed_bfloat16'] - accuracies['float32']):+.2f} points"])
    heading = (f"{count} images of {folder.name} ({arguments.accuracy_images_per_class} per class), "
               f"{float32.description.split(';')[0]}; 75/25 index split of the shuffled rows")
    return heading + "\n\n" + harness.markdown_table(["bfloat16 against float32", "value"], rows)


def float16_section(arguments, work_dir):
    import h5py

    random = np.random.default_rng(SEED)
    # Feature-like values: non-negative (after ReLU), spread over several binades.
    rows = np.abs(random.standard_normal((arguments.float16_rows, 4096)) * random.uniform(0.1, 20, (1, 4096)))
    rows = rows.astype(np.float32)
    path = pathlib.Path(work_dir) / "float16.hdf5"

    def write(convert_first):
        def measure():
            with h5py.File(path, "w") as handle:
                dataset = handle.create_dataset("features", rows.shape, dtype="float16")
                started = time.perf_counter()
                dataset[...] = rows.astype(np.float16) if convert_first else rows
                return rows.size / (time.perf_counter() - started) / 1e6

        return measure

    results = harness.interleaved({"h5py": write(False), "numpy": write(True)}, arguments.repeats)
    # Values whose rounding to float16 carries into the exponent: just below a power of two.
    powers = np.float32(2.0) ** np.arange(-14, 16, dtype=np.float32)
    below = np.nextafter(powers, np.float32(0))
    probes = np.concatenate([below, powers * np.float32(1 - 2**-12), -below]).astype(np.float32)
    samples = rows.ravel()[:1_000_000]
    wrong = {}
    for name, values in (("carry cases (just below a power of two)", probes), ("random feature values", samples)):
        with h5py.File(path, "w") as handle:
            handle.create_dataset("values", values.shape, dtype="float16")[...] = values
            stored = handle["values"][...]
        expected = values.astype(np.float16)
        mismatched = np.flatnonzero(stored != expected)
        wrong[name] = (len(mismatched), len(values), values[mismatched[:1]], stored[mismatched[:1]], expected[mismatched[:1]])
    path.unlink()
    table = [
        ["h5py converts float32 -> float16", harness.format_triple(results["h5py"], 1)],
        ["NumPy casts first, h5py writes float16", harness.format_triple(results["numpy"], 1)],
        ["NumPy first / h5py conversion", harness.format_triple(harness.ratios(results["numpy"], results["h5py"]), 1, "x")],
    ]
    correctness = []
    for name, (count, total, value, stored, expected) in wrong.items():
        example = (f"e.g. {value[0]!r} stored as {float(stored[0])!r}, NumPy gives {float(expected[0])!r}"
                   if count else "none")
        correctness.append([name, f"{count:,} of {total:,}", example])
    return (
        f"{arguments.float16_rows:,} x 4,096 float32 values; HDF5 {h5py.version.hdf5_version}, h5py {h5py.__version__}\n\n"
        + harness.markdown_table(["writing to a float16 dataset", "million values/s (min / **median** / max)"], table)
        + "\n\n"
        + harness.markdown_table(["values h5py's conversion stores differently from NumPy", "count", "example"], correctness)
    )


def main():
    arguments = parse_arguments()
    from pyimagesearch.datasets import catalog

    work_dir = pathlib.Path(arguments.work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    folder = catalog.resolve_dataset(arguments.dataset)
    sections = []
    if "speed" not in arguments.skip:
        sections.append(("Speed", speed_section(arguments, work_dir, folder)))
    if "accuracy" not in arguments.skip:
        sections.append(("bfloat16 accuracy", accuracy_section(arguments, work_dir, folder)))
    if "float16" not in arguments.skip:
        sections.append(("float16 in HDF5", float16_section(arguments, work_dir)))
    command = "python benchmarks/feature_extraction.py " + " ".join(sys.argv[1:])
    print(f"\n<!-- {command.strip()}; {arguments.repeats} repeat(s), interleaved; {cpu_description()} -->")
    for title, text in sections:
        print(f"\n### {title}\n\n{text}")


if __name__ == "__main__":
    main()
