"""Offline proof that features transfer: train on digits 0-4, classify 5-9 from the features.

    python experiments/transfer_flowers17/digits_transfer.py                  # seeds 0-4
    python experiments/transfer_flowers17/digits_transfer.py --seeds 0 --json result.json

For each seed:
1. MiniVGGNet is trained on scikit-learn's real handwritten digits 0-4 (8x8, upsampled to
   16x16 by the same resize that extraction uses) and saved as a `.keras` file.
2. The package's `extract_features` reads the digits 5-9, which the network never saw, from
   an image folder, and writes the output of one layer of the saved model (a `.keras` file
   plus a layer name) into an HDF5 file; then again with `weights="none"`: the same
   architecture with random weights.
3. Logistic regression (C grid-searched) is trained on half of the 5-9 features and scored on
   the other half (stratified, seeded), for both feature files.

If training taught the network something general about handwriting, the trained features
beat the random ones on digits it was never trained on. The script prints one row per seed
and the margin's min / median / max as a Markdown table.
"""

import argparse
import pathlib
import shutil
import statistics
import sys
import tempfile
import time

import keras
import numpy as np

import config
from pyimagesearch.datasets import catalog, imagefiles, splits
from pyimagesearch.datasets.simpledatasetloader import SimpleDatasetLoader
from pyimagesearch.io import pipeline
from pyimagesearch.nn.conv import MiniVGGNet
from pyimagesearch.preprocessing import SimplePreprocessor
from pyimagesearch.transfer import classifiers, features
from pyimagesearch.utils import atomic, cli, errors, seeding


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default=config.DIGITS_DATASET, help="catalog name or folder with 0/ .. 9/")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(config.DIGITS_SEEDS))
    parser.add_argument("--image-size", type=int, default=config.DIGITS_IMAGE_SIZE)
    parser.add_argument("--epochs", type=int, default=config.DIGITS_EPOCHS)
    parser.add_argument("--batch-size", type=int, default=config.DIGITS_BATCH_SIZE)
    parser.add_argument("--learning-rate", type=float, default=config.DIGITS_LEARNING_RATE)
    parser.add_argument("--layer", default=config.DIGITS_LAYER, help="MiniVGGNet layer to extract")
    parser.add_argument(
        "--pooling", choices=features.POOLINGS + ("none",), default=config.DIGITS_POOLING,
        help="none: flatten the layer's output",
    )
    parser.add_argument("--work-dir", default=None, help="keep models and features here (default: a temporary folder)")
    parser.add_argument("--json", default=None, help="also write the results to this JSON file")
    return parser.parse_args()


def split_classes(dataset_root, work_dir):
    """Copies the target classes (5-9) into their own folder, for `extract_features`."""
    target_root = pathlib.Path(work_dir) / "target"
    for name in config.DIGITS_TARGET_CLASSES:
        source = pathlib.Path(dataset_root) / name
        if not source.is_dir():
            raise errors.InvalidArgumentError(f"{dataset_root} has no class folder {name!r}. Received: dataset={dataset_root}")
        shutil.copytree(source, target_root / name, dirs_exist_ok=True)
    return target_root


def load_source_images(dataset_root, size):
    """The 0-4 images, resized exactly as extraction resizes (cv2.INTER_AREA), and labels."""
    paths = [
        path
        for path in imagefiles.list_images(dataset_root)
        if pathlib.Path(path).parent.name in config.DIGITS_SOURCE_CLASSES
    ]
    loader = SimpleDatasetLoader(preprocessors=[SimplePreprocessor(size, size)])
    images, names = loader.load(paths, verbose=False)
    return images, splits.labels_from_paths(paths, list(config.DIGITS_SOURCE_CLASSES))


def train_source_model(images, labels, arguments, seed, path):
    """Trains MiniVGGNet on the source classes and saves it (atomically) to `path`."""
    seeding.set_seed(seed)
    classes = len(config.DIGITS_SOURCE_CLASSES)
    model = MiniVGGNet.build(arguments.image_size, arguments.image_size, 3, classes)
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=arguments.learning_rate, momentum=0.9, nesterov=True),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    dataset = pipeline.make_array_dataset(
        images, labels, arguments.batch_size, pipeline.make_batch_transform(classes), shuffle=True, seed=seed
    )
    # shuffle=False: the dataset reshuffles itself every epoch (Keras would only warn).
    history = model.fit(dataset, epochs=arguments.epochs, shuffle=False, verbose=0)
    atomic.save_model(model, path)
    return history.history["accuracy"][-1]


def transfer_accuracy(features_path, seed):
    """Logistic regression on half of the target features, scored on the other half."""
    data, labels, _ = features.load_features(features_path)
    indices = np.arange(len(labels))
    train, test, _, _ = splits.stratified_split(indices, labels, config.DIGITS_TEST_SIZE, seed)
    search = classifiers.fit_logistic_regression(data[train], labels[train], config.DIGITS_C_VALUES, seed=seed)
    return float(np.mean(search.best_estimator_.predict(data[test]) == labels[test]))


def run_seed(dataset_root, target_root, source, arguments, seed, work_dir):
    started = time.perf_counter()
    model_path = pathlib.Path(work_dir) / f"digits04_seed{seed}.keras"
    train_accuracy = train_source_model(*source, arguments, seed, model_path)
    accuracies = {}
    for weights in ("auto", "none"):
        seeding.set_seed(seed)  # the random weights of "none" are seeded too
        output = pathlib.Path(work_dir) / f"digits59_seed{seed}_{weights}.hdf5"
        features.extract_features(
            target_root, output, backbone=model_path, weights=weights, layer_name=arguments.layer,
            pooling=None if arguments.pooling == "none" else arguments.pooling,
            # Source order: transfer_accuracy draws its own stratified split of the rows.
            batch_size=64, shuffle=False, overwrite=True, progress=False, verbose=False,
        )
        accuracies[weights] = transfer_accuracy(output, seed)
    return {
        "seed": seed,
        "source_train_accuracy": float(train_accuracy),
        "trained_features_accuracy": accuracies["auto"],
        "random_features_accuracy": accuracies["none"],
        "margin": accuracies["auto"] - accuracies["none"],
        "seconds": time.perf_counter() - started,
    }


def print_table(results, arguments):
    print(f"\nMiniVGGNet {arguments.image_size}x{arguments.image_size}, {arguments.epochs} epochs on digits 0-4; "
          f"layer {arguments.layer}, pooling {arguments.pooling}; "
          "logistic regression on digits 5-9 (50/50 stratified split)\n")
    print("| seed | 0-4 train acc. | 5-9 acc., trained features | 5-9 acc., random weights | margin (points) | s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in results:
        print(f"| {row['seed']} | {row['source_train_accuracy']:.3f} | {row['trained_features_accuracy']:.3f} | "
              f"{row['random_features_accuracy']:.3f} | {100 * row['margin']:+.1f} | {row['seconds']:.0f} |")
    margins = [100 * row["margin"] for row in results]
    print(f"\nmargin min / median / max: {min(margins):+.1f} / {statistics.median(margins):+.1f} / "
          f"{max(margins):+.1f} points over {len(margins)} seed(s)")


def main():
    arguments = parse_arguments()
    dataset_root = catalog.resolve_dataset(arguments.dataset)
    with tempfile.TemporaryDirectory(prefix="digits-transfer-") as temporary:
        work_dir = pathlib.Path(arguments.work_dir or temporary)
        work_dir.mkdir(parents=True, exist_ok=True)
        target_root = split_classes(dataset_root, work_dir)
        source = load_source_images(dataset_root, arguments.image_size)
        print(f"[INFO] {len(source[1])} images of digits 0-4 train MiniVGGNet; "
              f"{len(imagefiles.list_images(target_root))} images of 5-9 are classified from its features")
        results = []
        for seed in arguments.seeds:
            results.append(run_seed(dataset_root, target_root, source, arguments, seed, work_dir))
            row = results[-1]
            print(f"[INFO] seed {seed}: trained {row['trained_features_accuracy']:.3f}, "
                  f"random {row['random_features_accuracy']:.3f} ({row['seconds']:.0f} s)")
    print_table(results, arguments)
    if arguments.json:
        atomic.write_json_atomic(arguments.json, {"arguments": vars(arguments), "results": results})


if __name__ == "__main__":
    sys.exit(cli.run(main))
