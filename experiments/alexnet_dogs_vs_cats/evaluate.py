"""Rank-1 accuracy of a run's AlexNet on the test file: resized to the crop size and with 10-crop oversampling.

    python experiments/alexnet_dogs_vs_cats/evaluate.py                  # the latest run
    python experiments/alexnet_dogs_vs_cats/evaluate.py --run output/alexnet_dogs_vs_cats/<run-id>

Everything comes from the run folder: config.json names the HDF5 folder and the crop size,
model.keras is the trained model. The test images are mean-subtracted with the training mean
stored in the file, exactly as in training. The report (classification_report.txt,
metrics.json, confusion_matrix.png) goes to <run>/evaluation/; it is computed from the
10-crop predictions, and metrics.json also holds the rank-1 accuracy of the resized images.
"""

import sys

import config
from pyimagesearch.training import flags, heldout, reports, runs
from pyimagesearch.utils import cli


def main():
    arguments = flags.parse_evaluate_command(__doc__, output=config.OUTPUT, batch_size=32,
                                             batch_size_help="images per batch (x10 crops)")
    run_dir, saved, model = runs.open_finished_run(arguments.run, arguments.output, config.EXPERIMENT)
    evaluation_dir = run_dir / "evaluation"
    metrics = heldout.evaluate_crops(model, saved["dataset"], saved["crop_size"], arguments.batch_size, evaluation_dir)
    reports.print_report(evaluation_dir, metrics, run_dir, what="test accuracy (10-crop)")


if __name__ == "__main__":
    sys.exit(cli.run(main))
