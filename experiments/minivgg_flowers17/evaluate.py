"""Rebuild the held-out split and the classification report from a run folder alone.

    python experiments/minivgg_flowers17/evaluate.py                 # the latest run
    python experiments/minivgg_flowers17/evaluate.py --run output/minivgg_flowers17/<run-id>

It reads config.json, split.json and model.keras, predicts the held-out images again, writes
classification_report.txt, metrics.json and confusion_matrix.png into <run>/evaluation/ and
compares the accuracy with the one train.py recorded in <run>/metrics.json.
"""

import argparse

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
    run_dir = training.find_run(arguments.run, arguments.output, config.EXPERIMENT)
    saved = runs.read_run_config(run_dir)["arguments"]
    split = splits.load_split(run_dir / "split.json")
    class_names = split["class_names"]
    print(f"[INFO] evaluating {run_dir}")
    model = keras.saving.load_model(run_dir / training.FINAL_MODEL)
    test_images, test_labels, _ = imagefolder.load_split_images(split, "test", saved["image_size"])
    test_dataset = pipeline.make_array_dataset(
        test_images, test_labels, arguments.batch_size, pipeline.make_batch_transform(len(class_names))
    )
    evaluation_dir = run_dir / "evaluation"
    metrics = training.evaluate_and_report(model, test_dataset, test_labels, class_names, evaluation_dir)
    training.print_report(evaluation_dir, metrics, run_dir)


if __name__ == "__main__":
    cli.run(main)
