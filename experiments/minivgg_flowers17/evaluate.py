"""Rebuild the held-out split and the classification report from a run folder alone.

    python experiments/minivgg_flowers17/evaluate.py                 # the latest run
    python experiments/minivgg_flowers17/evaluate.py --run output/minivgg_flowers17/<run-id>

It reads config.json, split.json (or, for a run trained with --hdf5, the test.hdf5 file its
config names) and model.keras, predicts the held-out images again, writes
classification_report.txt, metrics.json and confusion_matrix.png into <run>/evaluation/ and
compares the accuracy with the one train.py recorded in <run>/metrics.json.
"""

import argparse
import pathlib

import config
from pyimagesearch.datasets import imagefolder, splits
from pyimagesearch.io import hdf5format, hdf5pipeline, pipeline
from pyimagesearch.training import reports, runs
from pyimagesearch.utils import cli


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", default=None, help="run folder (default: the latest under --output)")
    parser.add_argument("--output", default=config.OUTPUT, help="root folder for run folders")
    parser.add_argument("--batch-size", type=int, default=64)
    return parser.parse_args()


def check_hdf5_folder(hdf5_dir, image_size):
    """Raises ValueError unless `hdf5_dir` holds train.hdf5 and test.hdf5 of `image_size` images."""
    for name in ("train.hdf5", "test.hdf5"):
        path = pathlib.Path(hdf5_dir) / name
        if not path.is_file():
            raise ValueError(
                f"{path} is missing; --hdf5 expects a folder built with a test split (train.hdf5 and "
                f"test.hdf5). Received: --hdf5 {hdf5_dir}"
            )
        row_shape = hdf5format.read_dataset_info(path)["row_shape"]
        if row_shape != (image_size, image_size, 3):
            raise ValueError(
                f"{path} holds {row_shape} images, not ({image_size}, {image_size}, 3); pass a matching "
                f"--image-size or a new --hdf5 folder. Received: --image-size {image_size}"
            )


def held_out_data(hdf5_dir, image_size, batch_size):
    """The test pipeline of an HDF5 run: returns (dataset, labels, class names)."""
    test_path = pathlib.Path(hdf5_dir) / "test.hdf5"
    check_hdf5_folder(hdf5_dir, image_size)
    with hdf5format.open_dataset_file(test_path) as handle:
        labels = handle[hdf5format.LABELS_KEY][...]
    class_names = hdf5format.read_dataset_info(test_path)["label_names"]
    return hdf5pipeline.make_hdf5_dataset(test_path, batch_size), labels, class_names


def main():
    arguments = parse_arguments()
    run_dir, saved, model = runs.open_finished_run(arguments.run, arguments.output, config.EXPERIMENT)
    if saved.get("hdf5"):
        test_dataset, test_labels, class_names = held_out_data(saved["hdf5"], saved["image_size"], arguments.batch_size)
    else:
        split = splits.load_split(run_dir / "split.json")
        class_names = split["class_names"]
        test_images, test_labels, _ = imagefolder.load_split_images(split, "test", saved["image_size"])
        test_dataset = pipeline.make_array_dataset(
            test_images, test_labels, arguments.batch_size, pipeline.make_batch_transform(len(class_names))
        )
    evaluation_dir = run_dir / "evaluation"
    metrics = reports.evaluate_and_report(model, test_dataset, test_labels, class_names, evaluation_dir)
    reports.print_report(evaluation_dir, metrics, run_dir)


if __name__ == "__main__":
    cli.run(main)
