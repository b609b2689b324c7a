"""Rank-1 accuracy of a run's AlexNet on the test file: centre crop and 10-crop oversampling.

    python experiments/alexnet_dogs_vs_cats/evaluate.py                  # the latest run
    python experiments/alexnet_dogs_vs_cats/evaluate.py --run output/alexnet_dogs_vs_cats/<run-id>

Everything comes from the run folder: config.json names the HDF5 folder and the crop size,
model.keras is the trained model. The test images are mean-subtracted with the training mean
stored in the file, exactly as in training. The report (classification_report.txt,
metrics.json, confusion_matrix.png) goes to <run>/evaluation/; it is computed from the
10-crop predictions, and metrics.json also holds the centre-crop rank-1 accuracy.
"""

import argparse
import pathlib

import keras

import config
from pyimagesearch.io import hdf5format, hdf5pipeline
from pyimagesearch.preprocessing import CropPreprocessor, MeanPreprocessor
from pyimagesearch.training import fitting, reports, runs
from pyimagesearch.utils import cli, ranked


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", default=None, help="run folder (default: the latest under --output)")
    parser.add_argument("--output", default=config.OUTPUT, help="root folder for run folders")
    parser.add_argument("--batch-size", type=int, default=32, help="images per batch (x10 crops)")
    return parser.parse_args()


def mean_preprocessor(data_dir):
    """MeanPreprocessor with the training split's mean, as stored in the HDF5 files."""
    mean = hdf5format.read_mean(pathlib.Path(data_dir) / "train.hdf5")
    return MeanPreprocessor(mean["R"], mean["G"], mean["B"])


def evaluate_model(model, data_dir, crop_size, batch_size, report_dir):
    """Scores `model` on <data_dir>/test.hdf5; writes the report to `report_dir`; returns metrics."""
    test_path = pathlib.Path(data_dir) / "test.hdf5"
    label_names = hdf5format.read_dataset_info(test_path)["label_names"]
    mean = mean_preprocessor(data_dir)
    centre = keras.layers.CenterCrop(crop_size, crop_size, data_format="channels_last")
    print("[INFO] predicting the test set (centre crop)...")
    centre_probabilities, labels = hdf5pipeline.predict_hdf5(
        model, test_path, batch_size, preprocessors=[centre, mean], scale=1.0,
        verbose=fitting.fit_verbosity(),
    )
    print("[INFO] predicting the test set (10-crop oversampling)...")
    ten_crop_probabilities, _ = hdf5pipeline.predict_hdf5(
        model, test_path, batch_size, preprocessors=[mean, CropPreprocessor(crop_size, crop_size)], scale=1.0,
        verbose=fitting.fit_verbosity(),
    )
    centre_rank1, _ = ranked.rank5_accuracy(centre_probabilities, labels)
    ten_crop_rank1, _ = ranked.rank5_accuracy(ten_crop_probabilities, labels)
    print(f"[INFO] rank-1 accuracy, centre crop: {centre_rank1:.4f}")
    print(f"[INFO] rank-1 accuracy, 10-crop:     {ten_crop_rank1:.4f}")
    return reports.write_classification_report(
        report_dir,
        labels,
        ten_crop_probabilities,
        label_names,
        extra_metrics={
            "rank1_center_crop": centre_rank1,
            "rank1_ten_crop": ten_crop_rank1,
            "report_predictions": "10-crop oversampling",
            "test_file": str(test_path),
        },
    )


def main():
    arguments = parse_arguments()
    run_dir, saved, model = runs.open_finished_run(arguments.run, arguments.output, config.EXPERIMENT)
    evaluation_dir = run_dir / "evaluation"
    metrics = evaluate_model(model, saved["dataset"], saved["crop_size"], arguments.batch_size, evaluation_dir)
    reports.print_report(evaluation_dir, metrics, run_dir, what="test accuracy (10-crop)")


if __name__ == "__main__":
    cli.run(main)
