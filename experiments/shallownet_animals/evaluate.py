"""Rebuild the held-out split and the classification report from a run folder alone.

    python experiments/shallownet_animals/evaluate.py                 # the latest run
    python experiments/shallownet_animals/evaluate.py --run output/shallownet_animals/<run-id>

It reads config.json, split.json and model.keras, prepares the held-out images as train.py
did (config.preprocessors), predicts them again, writes classification_report.txt,
metrics.json and confusion_matrix.png into <run>/evaluation/ and prints the accuracy next to
the one train.py recorded.
"""

import sys

import config
from pyimagesearch.datasets import imagefolder, splits
from pyimagesearch.training import flags, heldout, reports, runs
from pyimagesearch.utils import cli


def main():
    arguments = flags.parse_evaluate_command(__doc__, output=config.OUTPUT)
    run_dir, saved, model = runs.open_finished_run(arguments.run, arguments.output, config.EXPERIMENT)
    split = splits.load_split(run_dir / "split.json")
    size = saved["image_size"]
    images, labels, _ = imagefolder.load_split_images(split, "test", size, preprocessors=config.preprocessors(size))
    test_dataset, test_labels, class_names = heldout.from_split(split, size, arguments.batch_size,
                                                                loaded=(images, labels))
    evaluation_dir = run_dir / "evaluation"
    metrics = reports.evaluate_and_report(model, test_dataset, test_labels, class_names, evaluation_dir)
    reports.print_report(evaluation_dir, metrics, run_dir)


if __name__ == "__main__":
    sys.exit(cli.run(main))
