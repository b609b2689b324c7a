"""A run's held-out data, rebuilt the same way by train.py and evaluate.py.

    dataset, labels, class_names = heldout.from_hdf5_folder(hdf5_dir, image_size, batch_size)
    dataset, labels, class_names = heldout.from_split(split, image_size, batch_size)
    dataset, labels, class_names = heldout.from_cifar10_run(run_dir, dataset_name, batch_size, subtract_mean=True)
    metrics = heldout.evaluate_crops(model, hdf5_dir, crop_size, batch_size, report_dir)
    heldout.check_hdf5_splits(hdf5_dir)   # train, val and test files with the same classes
    run_dir, split, images = heldout.open_split_run(arguments, experiment, make_split, load_images)
    train, test, test_labels, class_names = heldout.datasets_from_split(split, images, size, batch_size, seed)

Train and evaluate scripts both call these, so a re-evaluation reads exactly what training
scored, and no script imports another.
"""

import pathlib

from pyimagesearch.datasets import cifar10, imagefolder, splits
from pyimagesearch.io import cifar10pipeline, hdf5format, hdf5pipeline, pipeline
from pyimagesearch.preprocessing import CropPreprocessor, MeanPreprocessor
from pyimagesearch.training import fitting, reports, runmean, runs
from pyimagesearch.utils import errors, ranked


HDF5_SPLITS = ("train", "val", "test")
SPLIT_FILE = "split.json"


def check_hdf5_folder(hdf5_dir, image_size):
    """Raises a user error unless `hdf5_dir` holds train.hdf5 and test.hdf5 of `image_size` images,
    with the same class names (and val.hdf5's, if there is one)."""
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
    paths = [pathlib.Path(hdf5_dir) / f"{split}.hdf5" for split in HDF5_SPLITS]
    check_same_classes(*(path for path in paths if path.is_file()))


def check_hdf5_splits(hdf5_dir, splits=HDF5_SPLITS):
    """Raises a user error unless `hdf5_dir` holds `<split>.hdf5` for every split, all with the
    same class names; for a train script to call before training starts."""
    paths = [pathlib.Path(hdf5_dir) / f"{split}.hdf5" for split in splits]
    for path in paths:
        if not path.is_file():
            raise errors.InvalidArgumentError(
                f"{path} is missing; expected a folder built with {', '.join(f'{split}.hdf5' for split in splits)}. "
                f"Received: {hdf5_dir}"
            )
    check_same_classes(*paths)


def check_same_classes(*paths, data_key="images"):
    """Raises a user error, naming both files, unless every HDF5 file in `paths` has the same classes.

    Files that disagree would train on one set of classes and score on another: with the same
    number of classes silently (the report would take the test file's names), with different
    numbers only after training, in Keras' shape error. Files without label names are
    compared by their number of classes.
    """
    if not paths:
        return
    first = pathlib.Path(paths[0])
    first_classes = _classes(first, data_key)
    for path in paths[1:]:
        classes = _classes(pathlib.Path(path), data_key)
        if classes != first_classes:
            raise errors.InvalidArgumentError(
                f"{path} and {first} have different classes ({_describe_classes(classes)} against "
                f"{_describe_classes(first_classes)}); build the splits together, from one dataset. "
                f"Received: {path}, {first}"
            )


def _classes(path, data_key):
    info = hdf5format.read_dataset_info(path, data_key)
    return list(info["label_names"]) if info["label_names"] is not None else info["classes"]


def _describe_classes(classes):
    if isinstance(classes, int):
        return f"{classes} unnamed classes"
    shown = ", ".join(repr(name) for name in classes[:6]) + (", ..." if len(classes) > 6 else "")
    return f"{len(classes)} classes: {shown}"


def from_hdf5_folder(hdf5_dir, image_size, batch_size):
    """The test pipeline of an HDF5 run: returns (dataset, labels, class names)."""
    test_path = pathlib.Path(hdf5_dir) / "test.hdf5"
    check_hdf5_folder(hdf5_dir, image_size)
    with hdf5format.open_dataset_file(test_path) as handle:
        labels = handle[hdf5format.LABELS_KEY][...]
    class_names = hdf5format.read_dataset_info(test_path)["label_names"]
    return hdf5pipeline.make_hdf5_dataset(test_path, batch_size), labels, class_names


def open_split_run(arguments, experiment, make_split, load_images):
    """Opens a run on a split of image files (`runs.open_run`); returns (run_dir, split, images).

    A new run calls `make_split()` (the split dict of `splits.split_image_folder`) and
    `load_images(split)` (`imagefolder.load_split`'s (images, skipped)) before its folder is
    made, so a dataset that can't train leaves nothing behind, then saves the split as
    split.json; a resumed run reads its split.json and loads that. The skipped files go to
    skipped.txt either way (`load_split_run` does the resumed case alone).
    """
    if arguments.resume:
        return load_split_run(runs.open_run(arguments, experiment), load_images)
    prepared = {}

    def split_and_load():
        prepared["split"] = make_split()
        prepared["loaded"] = load_images(prepared["split"])

    run_dir = runs.open_run(arguments, experiment, before_create=split_and_load)
    split, (images, skipped) = prepared["split"], prepared["loaded"]
    splits.save_split(split, run_dir / SPLIT_FILE)
    imagefolder.record_skipped(run_dir, skipped, len(split["train"]) + len(split["test"]))
    return run_dir, split, images


def load_split_run(run_dir, load_images):
    """A reopened run's split.json and `load_images(split)`; returns (run_dir, split, images)
    and records the skipped files in skipped.txt, as `open_split_run` does for a new run."""
    split = splits.load_split(pathlib.Path(run_dir) / SPLIT_FILE)
    images, skipped = load_images(split)
    imagefolder.record_skipped(run_dir, skipped, len(split["train"]) + len(split["test"]))
    return run_dir, split, images


def from_split(split, image_size, batch_size, loaded=None):
    """The test pipeline of an image-folder run (its split.json): returns (dataset, labels, class names).

    `loaded` is the test part's (images, labels) when the caller has loaded it already (see
    `imagefolder.load_split`); otherwise it is loaded here.
    """
    class_names = split["class_names"]
    if loaded is None:
        images, labels, _ = imagefolder.load_split_images(split, "test", image_size)
    else:
        images, labels = loaded
    dataset = pipeline.make_array_dataset(images, labels, batch_size, pipeline.make_batch_transform(len(class_names)))
    return dataset, labels, class_names


def datasets_from_split(split, images, image_size, batch_size, seed, augmentation=None):
    """An image-folder run's training and test pipelines from its loaded `images` ({"train":
    (images, labels), "test": (images, labels)}, see `open_split_run`): the training batches
    shuffled with `seed` and given `augmentation`, the test ones as `from_split` makes them.
    Returns (train dataset, test dataset, test labels, class names)."""
    class_names = split["class_names"]
    train_images, train_labels = images["train"]
    train_dataset = pipeline.make_array_dataset(
        train_images, train_labels, batch_size,
        pipeline.make_batch_transform(len(class_names), augmentation=augmentation),
        shuffle=True, seed=seed,
    )
    test_dataset, test_labels, _ = from_split(split, image_size, batch_size, loaded=images["test"])
    return train_dataset, test_dataset, test_labels, class_names


def from_cifar10_run(run_dir, dataset, batch_size, subtract_mean):
    """The CIFAR-10 test pipeline of a run: returns (dataset, labels, class names).

    `dataset` is what the run's config.json names (a catalog name or a folder). With
    `subtract_mean` the run's own training mean (its mean.json, see `runmean`) is subtracted,
    as its training did; a run folder without one is refused rather than scored unsubtracted.
    """
    data = cifar10.load_cifar10(dataset)
    mean = runmean.read_mean(run_dir) if subtract_mean else None
    return cifar10pipeline.make_test_dataset(data, batch_size, mean=mean), data.test_labels, data.class_names


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
