"""Rebuild the held-out predictions and the classification report from a run folder alone.

    python experiments/finetune_flowers17/evaluate.py                    # the latest run
    python experiments/finetune_flowers17/evaluate.py --run output/finetune_flowers17/<run-id>
    python experiments/finetune_flowers17/evaluate.py --run output/finetune_flowers17/<run-id>/fold_2

It reads config.json (backbone, image size), split.json and model.keras, predicts the held-out
images again with the same preprocessing (BGR->RGB, the backbone's preprocess_input, no
augmentation) and writes classification_report.txt, metrics.json and confusion_matrix.png into
<run>/evaluation/. For a cross-validation run it does so for every fold and reports the mean and
standard deviation of the accuracy (<run>/evaluation/cross_validation.json), next to what
train.py recorded.
"""

import json
import pathlib
import sys

import config
from pyimagesearch.datasets import imagefolder, splits
from pyimagesearch.io import pipeline
from pyimagesearch.training import flags, reports, runs
from pyimagesearch.transfer import finetuning
from pyimagesearch.utils import cli

EVALUATION_FOLDER = "evaluation"


def evaluate_run(run_dir, batch_size):
    """Re-scores one (fold) run folder into <run_dir>/evaluation/; returns the metrics."""
    saved = runs.read_run_config(run_dir)["arguments"]
    split = splits.load_split(run_dir / "split.json")
    class_names = split["class_names"]
    print(f"[INFO] evaluating {run_dir} ({saved['backbone']} at {saved['image_size']}x{saved['image_size']})")
    test_images, test_labels, _ = imagefolder.load_split_images(split, "test", saved["image_size"])
    test_dataset = pipeline.make_array_dataset(
        test_images, test_labels, batch_size, finetuning.backbone_batch_transform(saved["backbone"], len(class_names))
    )
    # Only predictions are needed: compile=False skips the optimizer (which may be a Layerwise* one).
    model = runs.load_model(run_dir / runs.FINAL_MODEL, compile=False)
    evaluation_dir = run_dir / EVALUATION_FOLDER
    metrics = reports.evaluate_and_report(model, test_dataset, test_labels, class_names, evaluation_dir)
    print((evaluation_dir / "classification_report.txt").read_text(encoding="utf-8"))
    recorded = reports.recorded_accuracy(run_dir)
    recorded_text = "" if recorded is None else f"; recorded by train.py: {recorded:.4f}"
    print(f"[INFO] test accuracy: {metrics['accuracy']:.4f}{recorded_text} (report in {evaluation_dir})")
    return metrics


def main(argv=None):
    arguments = flags.parse_evaluate_command(
        __doc__, output=config.OUTPUT, batch_size=32, argv=argv,
        run_help="run or fold folder (default: the latest run under --output)",
    )
    if arguments.run:
        run_dir = pathlib.Path(arguments.run)
    else:
        run_dir = runs.latest_run(pathlib.Path(arguments.output) / config.EXPERIMENT)
    fold_dirs = finetuning.fold_run_dirs(run_dir)
    if not fold_dirs:
        evaluate_run(run_dir, arguments.batch_size)
        return
    fold_metrics = [evaluate_run(fold_dir, arguments.batch_size) for fold_dir in fold_dirs]
    summary = finetuning.write_cross_validation(run_dir / EVALUATION_FOLDER, fold_metrics)
    print(f"[INFO] {summary['folds']}-fold accuracy: mean {summary['mean_accuracy']:.4f}, "
          f"std {summary['std_accuracy']:.4f}")
    recorded_path = run_dir / finetuning.CROSS_VALIDATION_FILE
    if recorded_path.is_file():
        recorded = json.loads(recorded_path.read_text(encoding="utf-8"))
        print(f"[INFO] recorded by train.py: mean {recorded['mean_accuracy']:.4f}, "
              f"std {recorded['std_accuracy']:.4f}")


if __name__ == "__main__":
    sys.exit(cli.run(main))
