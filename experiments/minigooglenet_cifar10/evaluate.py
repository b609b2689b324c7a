"""Rebuild the test-set classification report from a run folder alone.

    python experiments/minigooglenet_cifar10/evaluate.py                  # the latest run
    python experiments/minigooglenet_cifar10/evaluate.py --run output/minigooglenet_cifar10/<run-id>

It reads config.json (which names the dataset), mean.json (the training mean the run
subtracted) and model.keras, reloads the test images with `load_cifar10`, predicts them again,
writes classification_report.txt, metrics.json and confusion_matrix.png into <run>/evaluation/
and prints the accuracy train.py recorded next to it.
"""

import argparse
import sys

import config
from pyimagesearch.training import heldout, reports, runs
from pyimagesearch.utils import cli


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", default=None, help="run folder (default: the latest under --output)")
    parser.add_argument("--output", default=config.OUTPUT, help="root folder for run folders")
    parser.add_argument("--batch-size", type=int, default=64)
    return parser.parse_args()


def main():
    arguments = parse_arguments()
    run_dir, saved, model = runs.open_finished_run(arguments.run, arguments.output, config.EXPERIMENT)
    test_dataset, test_labels, class_names = heldout.from_cifar10_run(
        run_dir, saved["dataset"], arguments.batch_size, subtract_mean=True)
    evaluation_dir = run_dir / "evaluation"
    metrics = reports.evaluate_and_report(model, test_dataset, test_labels, class_names, evaluation_dir)
    reports.print_report(evaluation_dir, metrics, run_dir)


if __name__ == "__main__":
    sys.exit(cli.run(main))
