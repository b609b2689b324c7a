"""Train AlexNet on Dogs vs. Cats from the HDF5 files made by build_dataset.py.

    python experiments/alexnet_dogs_vs_cats/train.py
    python experiments/alexnet_dogs_vs_cats/train.py --epochs 10 --batch-size 64
    python experiments/alexnet_dogs_vs_cats/train.py --resume output/alexnet_dogs_vs_cats/<run-id>

The course's recipe: Adam 1e-3, batch 128, 75 epochs, L2 0.0002. Training batches are random
227x227 patches of the 256x256 images, mean-subtracted, then augmented; validation batches are
resized to 227x227 and mean-subtracted only. Both read the HDF5 files through tf.data
(contiguous slices, reshuffled every epoch). At the end the test set is scored resized to
227x227 (as validation is) and with 10-crop oversampling (see evaluate.py). Everything goes into
output/alexnet_dogs_vs_cats/<run-id>/ (see pyimagesearch/training/).
"""

import argparse
import pathlib
import sys

import keras

import config
from pyimagesearch.io import hdf5format, hdf5pipeline, pipeline
from pyimagesearch.nn.conv import AlexNet
from pyimagesearch.preprocessing import PatchPreprocessor, build_augmentation
from pyimagesearch.training import fitting, flags, heldout, reports, runs
from pyimagesearch.utils import cli


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    flags.add_run_arguments(
        parser,
        **flags.config_defaults(config, dataset=config.HDF5_DIR),
        dataset_help="folder made by build_dataset.py",
    )
    parser.add_argument("--crop-size", type=int, default=config.CROP_SIZE, help="network input (random patches)")
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=True)
    return flags.parse_run_arguments(parser)


def make_datasets(arguments, global_batch_size):
    """The training pipeline (patch, mean, augmentation) and the validation one (resize, mean)."""
    data_dir = pathlib.Path(arguments.dataset)
    crop = arguments.crop_size
    mean = heldout.mean_preprocessor(data_dir)
    augmentation = build_augmentation(**config.AUGMENTATION, seed=arguments.seed) if arguments.augment else None
    train_dataset = hdf5pipeline.make_hdf5_dataset(
        data_dir / "train.hdf5",
        global_batch_size,
        training=True,
        seed=arguments.seed,
        preprocessors=[PatchPreprocessor(crop, crop, seed=arguments.seed), mean],
        augmentation=augmentation,
        scale=1.0,  # the course feeds mean-subtracted pixels, unscaled
    )
    val_dataset = hdf5pipeline.make_hdf5_dataset(
        data_dir / "val.hdf5",
        global_batch_size,
        preprocessors=[pipeline.resize_batch(crop, crop), mean],
        scale=1.0,
    )
    return train_dataset, val_dataset


def main():
    arguments = parse_arguments()
    # Train, val and test must share their class names; checked before a new run folder is made.
    run_dir = runs.open_run(
        arguments, config.EXPERIMENT, before_create=lambda: heldout.check_hdf5_splits(arguments.dataset)
    )
    if arguments.resume:
        heldout.check_hdf5_splits(arguments.dataset)
    distribution, global_batch_size = fitting.seeded_strategy(arguments)
    data_dir = pathlib.Path(arguments.dataset)
    train_info = hdf5format.read_dataset_info(data_dir / "train.hdf5")
    label_names = train_info["label_names"]
    runs.write_run_config(
        run_dir, vars(arguments), seed=arguments.seed,
        extra={
            "replicas": distribution.num_replicas_in_sync,
            "global_batch_size": global_batch_size,
            "train_images": train_info["rows"],
            "hdf5_preprocessing": train_info["preprocessing"],
            "mean": train_info["mean"],
        },
    )
    print(f"[INFO] run folder: {run_dir}")
    train_dataset, val_dataset = make_datasets(arguments, global_batch_size)

    def build_and_compile():
        model = AlexNet.build(
            width=arguments.crop_size, height=arguments.crop_size, depth=3, classes=len(label_names), reg=config.L2
        )
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=arguments.learning_rate),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
        )
        return model

    model = fitting.train(run_dir, distribution, build_and_compile, train_dataset, val_dataset, arguments)
    metrics = heldout.evaluate_crops(model, data_dir, arguments.crop_size, global_batch_size, run_dir)
    reports.print_report(run_dir, metrics, what="test accuracy (10-crop)")


if __name__ == "__main__":
    sys.exit(cli.run(main))
