"""Label a few random held-out images with a run's saved ShallowNet, as the course's load-and-predict script does.

    python experiments/shallownet_animals/predict.py                  # the latest run, 10 images
    python experiments/shallownet_animals/predict.py --run output/shallownet_animals/<run-id> --count 25

It loads <run>/model.keras in Keras' safe mode, draws --count images at random (seeded) from
the run's held-out part (split.json), prepares them as train.py did (config.preprocessors),
predicts them and writes each original image, enlarged if small, with "<predicted class>:
<probability>" drawn on it into <run>/predictions/ (or --output-dir), with predictions.json
listing every image's true and predicted class. The course shows them in a window instead.
"""

import argparse
import pathlib
import sys

import numpy as np

import config
from pyimagesearch.datasets import imagefiles, splits
from pyimagesearch.datasets.simpledatasetloader import SimpleDatasetLoader
from pyimagesearch.io import annotation
from pyimagesearch.training import heldout, reports, runs
from pyimagesearch.utils import atomic, cli, validation

PREDICTIONS_FILE = "predictions.json"


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", default=None, help="run folder (default: the latest under --output)")
    parser.add_argument("--output", default=config.OUTPUT, help="root folder for run folders")
    parser.add_argument("--count", type=int, default=config.PREDICT_COUNT, help="how many held-out images")
    parser.add_argument("--seed", type=int, default=config.SEED, help="seed of the random choice of images")
    parser.add_argument("--output-dir", default=None, help="where the labelled images go (default: <run>/predictions)")
    arguments = parser.parse_args()
    validation.check_integer("--count", arguments.count, minimum=1)
    validation.check_integer("--seed", arguments.seed, minimum=0)
    return arguments


def choose_images(split, count, seed):
    """`count` random paths of the held-out part (all of them if it has fewer), in a seeded order."""
    paths = splits.split_paths(split, "test")
    chosen = np.random.default_rng(seed).choice(len(paths), size=min(count, len(paths)), replace=False)
    return [paths[index] for index in chosen]


def main():
    arguments = parse_arguments()
    run_dir, saved, model = runs.open_finished_run(arguments.run, arguments.output, config.EXPERIMENT)
    split = splits.load_split(run_dir / "split.json")
    size, class_names = saved["image_size"], split["class_names"]
    output_dir = pathlib.Path(arguments.output_dir) if arguments.output_dir else run_dir / "predictions"
    loader = SimpleDatasetLoader(preprocessors=config.preprocessors(size))
    chosen = choose_images(split, arguments.count, arguments.seed)
    images, names = loader.load(chosen, verbose=False)
    skipped = {path for path, _ in loader.skipped}
    chosen = [path for path in chosen if path not in skipped]
    labels = splits.labels_from_paths(chosen, class_names)
    dataset, _, _ = heldout.from_split(split, size, batch_size=64, loaded=(images, labels))
    predicted, probabilities = reports.predict_labels(model, dataset)
    records = []
    for number, (path, label, prediction, row) in enumerate(zip(chosen, labels, predicted, probabilities), start=1):
        text = f"{class_names[prediction]}: {row[prediction]:.1%}"
        target = output_dir / f"{number:02d}_{pathlib.Path(path).stem}.png"
        annotation.write_image(target, annotation.draw_label(imagefiles.read_image(path), text))
        print(f"[INFO] {path}: predicted {text}, true {class_names[label]} -> {target}")
        records.append({"image": path, "true": class_names[label], "predicted": class_names[prediction],
                        "probability": float(row[prediction]), "file": target.name})
    atomic.write_json_atomic(output_dir / PREDICTIONS_FILE, records)
    correct = sum(record["true"] == record["predicted"] for record in records)
    print(f"[INFO] {correct} of {len(records)} predicted correctly; images in {output_dir}")


if __name__ == "__main__":
    sys.exit(cli.run(main))
