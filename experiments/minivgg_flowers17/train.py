"""Train MiniVGGNet on Flowers-17, or on any folder of class subfolders.

    python experiments/minivgg_flowers17/train.py --dataset synthetic-flowers17
    python experiments/minivgg_flowers17/train.py --dataset path/to/folder --no-augment
    python experiments/minivgg_flowers17/train.py --dataset synthetic-flowers17 --hdf5 datasets/synthetic-flowers17-hdf5
    python experiments/minivgg_flowers17/train.py --resume output/minivgg_flowers17/<run-id>

By default the images are decoded into memory at the start of every run, before a run folder
is made: a class with no readable image stops the run there, naming the class, and the files
that can't be read are counted in one line and listed in <run>/skipped.txt. With `--hdf5 DIR` they
are built once into DIR (train.hdf5 and test.hdf5, a stratified 75/25 split, uint8 at
--image-size; see pyimagesearch.io.builder) and every later run with the same DIR trains from
those files through tf.data without decoding a JPEG.

Everything the run makes goes into output/minivgg_flowers17/<run-id>/ (see
pyimagesearch/training/); evaluate.py rebuilds the report from that folder alone.
"""

import argparse
import pathlib
import sys

import keras

import config
from pyimagesearch.datasets import catalog, imagefiles, imagefolder, splits
from pyimagesearch.io import builder, hdf5pipeline
from pyimagesearch.nn.conv import MiniVGGNet
from pyimagesearch.preprocessing import build_augmentation
from pyimagesearch.training import fitting, flags, heldout, reports, runs
from pyimagesearch.utils import cli


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    flags.add_run_arguments(parser, **flags.config_defaults(config))
    parser.add_argument(
        "--hdf5", default=None, metavar="DIR", help="train from DIR/train.hdf5, test on DIR/test.hdf5 (built if missing)"
    )
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=config.AUGMENT)
    parser.add_argument("--image-size", type=int, default=config.IMAGE_SIZE)
    return flags.parse_run_arguments(parser)


def prepare_run(arguments):
    """Creates (or reopens, to resume) the run folder; returns (run_dir, split, images).

    Folder runs split and load their images before a new run folder is made, so a dataset
    that can't train (a class with no readable image) leaves nothing behind; they keep the
    split in split.json (dataset_root absolute) and the skipped files in skipped.txt.
    `images` is {"train": (images, labels), "test": (images, labels)}. HDF5 runs need
    neither (split and images are None): the files hold the split.
    """
    def load(split):
        return load_images(split, arguments.image_size)

    if arguments.resume:
        run_dir = runs.open_run(arguments, config.EXPERIMENT)
        # The saved run's --hdf5: its files hold the split.
        return (run_dir, None, None) if arguments.hdf5 else heldout.load_split_run(run_dir, load)
    if arguments.hdf5:
        # Saved absolute, so evaluate.py and --resume find the files from any folder.
        arguments.hdf5 = str(pathlib.Path(arguments.hdf5).resolve())
        run_dir = runs.open_run(arguments, config.EXPERIMENT, before_create=lambda: ensure_hdf5(arguments))
        return run_dir, None, None
    return heldout.open_split_run(arguments, config.EXPERIMENT, lambda: split_dataset(arguments), load)


def split_dataset(arguments):
    """The stratified, seeded split of --dataset."""
    dataset_root = catalog.resolve_dataset(arguments.dataset)
    paths = imagefiles.list_images(dataset_root)
    return splits.split_image_folder(paths, dataset_root, config.TEST_SIZE, arguments.seed)


def load_images(split, image_size):
    print("[INFO] loading images...")
    return imagefolder.load_split(split, image_size)


def ensure_hdf5(arguments):
    """Builds the --hdf5 folder from --dataset unless it is there already."""
    hdf5_dir = pathlib.Path(arguments.hdf5)
    if not hdf5_dir.exists():
        builder.build_from_dataset(
            arguments.dataset, hdf5_dir, arguments.image_size, arguments.image_size,
            val_size=0, test_size=config.TEST_SIZE, seed=arguments.seed,
        )
    heldout.check_hdf5_folder(hdf5_dir, arguments.image_size)


def make_datasets(arguments, split, images, global_batch_size):
    """Returns (train dataset, test dataset, test labels, class names), from images or HDF5."""
    augmentation = build_augmentation(seed=arguments.seed) if arguments.augment else None
    if arguments.hdf5:
        test_dataset, test_labels, class_names = heldout.from_hdf5_folder(
            arguments.hdf5, arguments.image_size, global_batch_size
        )
        train_dataset = hdf5pipeline.make_hdf5_dataset(
            pathlib.Path(arguments.hdf5) / "train.hdf5", global_batch_size, training=True, seed=arguments.seed,
            augmentation=augmentation,
        )
        return train_dataset, test_dataset, test_labels, class_names
    return heldout.datasets_from_split(
        split, images, arguments.image_size, global_batch_size, arguments.seed, augmentation=augmentation
    )


def main():
    arguments = parse_arguments()
    run_dir, split, images = prepare_run(arguments)
    data_source = {"hdf5_dir": arguments.hdf5} if arguments.hdf5 else {"dataset_root": split["dataset_root"]}
    distribution, global_batch_size = fitting.start_run(run_dir, arguments, extra=data_source)
    datasets = make_datasets(arguments, split, images, global_batch_size)
    train_dataset, test_dataset, test_labels, class_names = datasets
    size = arguments.image_size

    def build_and_compile():
        model = MiniVGGNet.build(width=size, height=size, depth=3, classes=len(class_names))
        return fitting.compile_classifier(model, keras.optimizers.SGD(learning_rate=arguments.learning_rate))

    model = fitting.train(run_dir, distribution, build_and_compile, train_dataset, test_dataset, arguments)
    reports.evaluate_and_print(model, test_dataset, test_labels, class_names, run_dir, on="the held-out split")


if __name__ == "__main__":
    sys.exit(cli.run(main))
