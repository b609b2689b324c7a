"""A run's held-out data, rebuilt the same way by train.py and evaluate.py.

    dataset, labels, class_names = heldout.from_hdf5_folder(hdf5_dir, image_size, batch_size)
    dataset, labels, class_names = heldout.from_split(split, image_size, batch_size)
    metrics = heldout.evaluate_crops(model, hdf5_dir, crop_size, batch_size, report_dir)

Train and evaluate scripts both call these, so a re-evaluation reads exactly what training
scored, and no script imports another.
"""

import pathlib

from pyimagesearch.datasets import imagefolder
from pyimagesearch.io import hdf5format, hdf5pipeline, pipeline
from pyimagesearch.preprocessing import CropPreprocessor, MeanPreprocessor
from pyimagesearch.training import fitting, reports
from pyimagesearch.utils import errors, ranked


def check_hdf5_folder(hdf5_dir, image_size):
    """Raises a user error unless `hdf5_dir` holds train.hdf5 and test.hdf5 of `image_size` images."""
    for name in ("train.hdf5", "test.hdf5"):
        path = pathlib.Path(hdf5_dir) / name
        if not path.is_file():
            raise errors.InvalidArgumentError(
                f"{path} is missing; --hdf5 expects a folder built with a test split (train.hdf5 and "
                f"test.hdf5). Received: --hdf5 {hdf5_dir}"
            )
        row_shape = hdf5format.read_dataset_info(path)["row_shape"]
        if row_shape != (image_size, image_size, 3):
            raise errors.InvalidArgumentError(
                f"{path} holds {row_shape} images, not ({image_size}, {image_size}, 3); pass a matching "
                f"--image-size or a new --hdf5 folder. Received: --image-size {image_size}"
            )


def from_hdf5_folder(hdf5_dir, image_size, batch_size):
    """The test pipeline of an HDF5 run: returns (dataset, labels, class names)."""
    test_path = pathlib.Path(hdf5_dir) / "test.hdf5"
    check_hdf5_folder(hdf5_dir, image_size)
    with hdf5format.open_dataset_file(test_path) as handle:
        labels = handle[hdf5format.LABELS_KEY][...]
    class_names = hdf5format.read_dataset_info(test_path)["label_names"]
    return hdf5pipeline.make_hdf5_dataset(test_path, batch_size), labels, class_names


def from_split(split, image_size, batch_size):
    """The test pipeline of an image-folder run (its split.json): returns (dataset, labels, class names)."""
    class_names = split["class_names"]
    images, labels, _ = imagefolder.load_split_images(split, "test", image_size)
    dataset = pipeline.make_array_dataset(images, labels, batch_size, pipeline.make_batch_transform(len(class_names)))
    return dataset, labels, class_names


def mean_preprocessor(hdf5_dir):
    """MeanPreprocessor with the training split's mean, as stored in <hdf5_dir>/train.hdf5."""
    mean = hdf5format.read_mean(pathlib.Path(hdf5_dir) / "train.hdf5")
    return MeanPreprocessor(mean["R"], mean["G"], mean["B"])


def evaluate_crops(model, hdf5_dir, crop_size, batch_size, report_dir):
    """Scores `model` on <hdf5_dir>/test.hdf5 resized to the crop size and with 10-crop oversampling.

    The single view is the stored image resized to `crop_size` (256 -> 227 for AlexNet), the
    same step as the validation pipeline and as the course's evaluation (SimplePreprocessor);
    10-crop takes the four corners, the centre and their mirror images and averages the
    predictions. The report is written from the 10-crop predictions into `report_dir`;
    returns its metrics, with both rank-1 accuracies.
    """
    test_path = pathlib.Path(hdf5_dir) / "test.hdf5"
    label_names = hdf5format.read_dataset_info(test_path)["label_names"]
    mean = mean_preprocessor(hdf5_dir)
    print(f"[INFO] predicting the test set (resized to {crop_size}x{crop_size})...")
    resized_probabilities, labels = hdf5pipeline.predict_hdf5(
        model, test_path, batch_size, preprocessors=[pipeline.resize_batch(crop_size, crop_size), mean], scale=1.0,
        verbose=fitting.fit_verbosity(),
    )
    print("[INFO] predicting the test set (10-crop oversampling)...")
    ten_crop_probabilities, _ = hdf5pipeline.predict_hdf5(
        model, test_path, batch_size, preprocessors=[mean, CropPreprocessor(crop_size, crop_size)], scale=1.0,
        verbose=fitting.fit_verbosity(),
    )
    resized_rank1, _ = ranked.rank5_accuracy(resized_probabilities, labels)
    ten_crop_rank1, _ = ranked.rank5_accuracy(ten_crop_probabilities, labels)
    print(f"[INFO] rank-1 accuracy, resized: {resized_rank1:.4f}")
    print(f"[INFO] rank-1 accuracy, 10-crop: {ten_crop_rank1:.4f}")
    return reports.write_classification_report(
        report_dir,
        labels,
        ten_crop_probabilities,
        label_names,
        extra_metrics={
            "rank1_resized": resized_rank1,
            "rank1_ten_crop": ten_crop_rank1,
            "report_predictions": "10-crop oversampling",
            "test_file": str(test_path),
        },
    )
