"""Rebuild the held-out split and the classification report from a run folder alone.

    python experiments/minivgg_flowers17/evaluate.py                 # the latest run
    python experiments/minivgg_flowers17/evaluate.py --run output/minivgg_flowers17/<run-id>

It reads config.json, split.json (or, for a run trained with --hdf5, the test.hdf5 file its
config names) and model.keras, predicts the held-out images again, writes
classification_report.txt, metrics.json and confusion_matrix.png into <run>/evaluation/ and
compares the accuracy with the one train.py recorded in <run>/metrics.json.
"""

import sys

import config
from pyimagesearch.datasets import splits
from pyimagesearch.training import flags, heldout, reports, runs
from pyimagesearch.utils import cli


def main():
    arguments = flags.parse_evaluate_command(__doc__, output=config.OUTPUT)
    run_dir, saved, model = runs.open_finished_run(arguments.run, arguments.output, config.EXPERIMENT)
    if saved.get("hdf5"):
        held_out = heldout.from_hdf5_folder(saved["hdf5"], saved["image_size"], arguments.batch_size)
    else:
        split = splits.load_split(run_dir / "split.json")
        held_out = heldout.from_split(split, saved["image_size"], arguments.batch_size)
    test_dataset, test_labels, class_names = held_out
    evaluation_dir = run_dir / "evaluation"
    metrics = reports.evaluate_and_report(model, test_dataset, test_labels, class_names, evaluation_dir)
    reports.print_report(evaluation_dir, metrics, run_dir)


if __name__ == "__main__":
    sys.exit(cli.run(main))
