"""Rebuild the held-out IoU report from a run folder alone.

    python experiments/bbox_regression/evaluate.py                 # the latest run
    python experiments/bbox_regression/evaluate.py --run output/bbox_regression/<run-id>

It reads config.json, split.json (the held-out images and their boxes) and model.keras,
predicts the held-out boxes again, writes metrics.json and iou_report.txt into
<run>/evaluation/ and prints the mean IoU next to the one train.py recorded.
"""

import json
import sys

import config
from pyimagesearch.datasets import boxannotations
from pyimagesearch.io import pipeline
from pyimagesearch.nn import boxes
from pyimagesearch.nn.conv.boxregressor import BoxRegressor
from pyimagesearch.training import flags, runs
from pyimagesearch.utils import cli


def main():
    arguments = flags.parse_evaluate_command(__doc__, output=config.OUTPUT)
    run_dir, saved, model = runs.open_finished_run(arguments.run, arguments.output, config.EXPERIMENT)
    split = boxannotations.load_split(run_dir / "split.json")
    images, true_boxes, skipped = boxannotations.load_part(split, "test", saved["image_size"])
    if skipped:
        print(f"[INFO] {len(skipped)} held-out images could not be read (as in training: see skipped.txt)")
    transform = pipeline.make_batch_transform(one_hot=False, **BoxRegressor.input_scaling(saved["backbone"]))
    dataset = pipeline.make_array_dataset(images, true_boxes, arguments.batch_size, transform)
    evaluation_dir = run_dir / "evaluation"
    metrics = boxes.write_iou_report(evaluation_dir, true_boxes, model.predict(dataset, verbose=0))
    print(boxes.report_text(metrics), end="")
    print(f"[INFO] mean IoU: {metrics['mean_iou']:.4f} (report in {evaluation_dir})")
    recorded_path = run_dir / boxes.METRICS_NAME
    if recorded_path.is_file():
        recorded = json.loads(recorded_path.read_text(encoding="utf-8"))
        print(f"[INFO] mean IoU recorded by train.py: {recorded['mean_iou']:.4f}")


if __name__ == "__main__":
    sys.exit(cli.run(main))
