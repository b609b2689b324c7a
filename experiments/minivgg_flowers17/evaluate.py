"""Rebuild the held-out split and the classification report from a run folder alone.

    python experiments/minivgg_flowers17/evaluate.py                 # the latest run
    python experiments/minivgg_flowers17/evaluate.py --run output/minivgg_flowers17/<run-id>

It reads config.json, split.json and model.keras, predicts the held-out images again, writes
classification_report.txt, metrics.json and confusion_matrix.png into <run>/evaluation/ and
compares the accuracy with the one train.py recorded in <run>/metrics.json.
"""

import argparse
import pathlib

import keras

import config
from pyimagesearch.datasets import imagefolder, splits
from pyimagesearch.io import pipeline
from pyimagesearch.utils import cli, runs, training


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", default=None, help="run folder (default: the latest under --output)")
    parser.add_argument("--output", default=config.OUTPUT, help="root folder for run folders")
    parser.add_argument("--batch-size", type=int, default=64)
    return parser.parse_args()


def main():
    arguments = parse_arguments()
    if arguments.run:
        run_dir = pathlib.Path(arguments.run)
    else:
        run_dir = runs.latest_run(pathlib.Path(arguments.output) / config.EXPERIMENT)
    saved = runs.read_run_config(run_dir)["arguments"]
    split = splits.load_split(run_dir / "split.json")
    class_names = split["class_names"]
    print(f"[INFO] evaluating {run_dir}")
    test_images, test_labels, _ = imagefolder.load_split_images(split, "test", saved["image_size"])
    test_dataset = pipeline.make_array_dataset(
        test_images, test_labels, arguments.batch_size, pipeline.make_batch_transform(len(class_names))
    )
    model = keras.saving.load_model(run_dir / training.FINAL_MODEL)
    evaluation_dir = run_dir / "evaluation"
    metrics = training.evaluate_and_report(model, test_dataset, test_labels, class_names, evaluation_dir)
    print((evaluation_dir / "classification_report.txt").read_text(encoding="utf-8"))
    print(f"[INFO] test accuracy: {metrics['accuracy']:.4f} (report in {evaluation_dir})")
    recorded = training.recorded_accuracy(run_dir)
    if recorded is not None:
        print(f"[INFO] accuracy recorded by train.py: {recorded:.4f}")


if __name__ == "__main__":
    cli.run(main)
