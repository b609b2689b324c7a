"""Evaluate an ensemble: average its members' predicted probabilities on the test set.

    python experiments/ensemble_cifar10/test_ensemble.py                      # the latest ensemble
    python experiments/ensemble_cifar10/test_ensemble.py --ensemble output/ensemble_cifar10/<ensemble-id>

It reads the ensemble's config.json (which names the dataset) and ensemble.json (its members),
loads each member's model.keras in turn (safe mode), predicts the test images, and averages the
probabilities. It prints every member's accuracy, the best member's and the ensemble's, and
writes the ensemble's classification_report.txt, metrics.json (with the members' accuracies) and
confusion_matrix.png into <ensemble>/evaluation/.
"""

import argparse
import json
import pathlib
import sys

import numpy as np

import config
from pyimagesearch.datasets import cifar10
from pyimagesearch.io import cifar10pipeline
from pyimagesearch.nn import ensembles
from pyimagesearch.training import reports, runs
from pyimagesearch.utils import cli, errors, sessions


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ensemble", default=None, help="ensemble folder (default: the latest under --output)")
    parser.add_argument("--output", default=config.OUTPUT, help="root folder for run folders")
    parser.add_argument("--batch-size", type=int, default=64)
    return parser.parse_args()


def latest_ensemble(output):
    """The newest folder under output/ensemble_cifar10 that holds an ensemble.json."""
    experiment_dir = pathlib.Path(output) / config.EXPERIMENT
    found = [path.parent for path in experiment_dir.glob(f"*/{config.SUMMARY_FILE}")]
    if not found:
        raise errors.InvalidArgumentError(
            f"No ensemble (a folder with {config.SUMMARY_FILE}) in {experiment_dir}: train one with "
            f"train_models.py first. Received: --output {output}"
        )
    return max(found, key=lambda path: (path / config.SUMMARY_FILE).stat().st_mtime)


def read_members(ensemble_dir):
    """The member run folders ensemble.json lists, each with a model.keras."""
    path = ensemble_dir / config.SUMMARY_FILE
    if not path.is_file():
        raise errors.MissingFileError(f"{path} is missing: is {ensemble_dir} an ensemble made by train_models.py?")
    with open(path, encoding="utf-8") as handle:
        summary = json.load(handle)
    if len(summary.get("members", [])) < summary.get("models", 0):
        print(f"[WARNING] {path} lists {len(summary['members'])} of {summary['models']} members: "
              "evaluating those (finish the rest with train_models.py --resume)", file=sys.stderr)
    return [ensemble_dir.parent / member["run"] for member in summary.get("members", [])]


def loaded_one_at_a_time(member_dirs):
    """Yields each member's model; the one before is released first, so one is in memory at a time."""
    for folder in member_dirs:
        sessions.release_models()
        yield runs.load_model(folder / runs.FINAL_MODEL)


def main():
    arguments = parse_arguments()
    ensemble_dir = pathlib.Path(arguments.ensemble) if arguments.ensemble else latest_ensemble(arguments.output)
    saved = runs.read_run_config(ensemble_dir)["arguments"]
    member_dirs = read_members(ensemble_dir)
    print(f"[INFO] evaluating the ensemble {ensemble_dir}: {len(member_dirs)} members")
    data = cifar10.load_cifar10(saved["dataset"])
    test_dataset = cifar10pipeline.make_test_dataset(data, arguments.batch_size)
    member_probabilities = ensembles.predict_members(loaded_one_at_a_time(member_dirs), test_dataset)
    accuracies = ensembles.member_accuracies(member_probabilities, data.test_labels)
    probabilities = ensembles.average_probabilities(member_probabilities)
    for folder, accuracy in zip(member_dirs, accuracies):
        print(f"[INFO] member {folder.name}: test accuracy {accuracy:.4f}")
    best = int(np.argmax(accuracies))
    evaluation_dir = ensemble_dir / "evaluation"
    metrics = reports.write_classification_report(
        evaluation_dir, data.test_labels, probabilities, data.class_names,
        extra_metrics={
            "member_accuracies": {folder.name: accuracy for folder, accuracy in zip(member_dirs, accuracies)},
            "best_member": member_dirs[best].name,
            "best_member_accuracy": accuracies[best],
        },
    )
    reports.print_report(evaluation_dir, metrics, what="ensemble test accuracy")
    print(f"[INFO] best member ({member_dirs[best].name}): {accuracies[best]:.4f}; "
          f"ensemble of {len(member_dirs)}: {metrics['accuracy']:.4f}")


if __name__ == "__main__":
    sys.exit(cli.run(main))
