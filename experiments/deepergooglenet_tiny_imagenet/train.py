"""Train DeeperGoogLeNet on Tiny ImageNet 200 from the HDF5 files made by build_dataset.py.

    python experiments/deepergooglenet_tiny_imagenet/train.py --run-id course --epochs 25
    python experiments/deepergooglenet_tiny_imagenet/train.py --resume output/deepergooglenet_tiny_imagenet/course \
        --from-epoch 25 --learning-rate 1e-4 --epochs 35
    python experiments/deepergooglenet_tiny_imagenet/train.py --resume output/deepergooglenet_tiny_imagenet/course \
        --from-epoch 35 --learning-rate 1e-5 --epochs 40
    python experiments/deepergooglenet_tiny_imagenet/train.py --dataset datasets/synthetic-tiny-imagenet-hdf5

The course's recipe: Adam 1e-3, L2 5e-4, batch 64, 64x64 images minus the training mean
(unscaled), augmented (rotation 18, zoom 0.15, shifts 0.2, shear 0.15, horizontal flip), lowered
by hand to 1e-4 at epoch 25 and to 1e-5 at epoch 35 (the three commands above: each restart
continues from that epoch's checkpoint, kept every 5 epochs, with the optimizer state). It
validates on val.hdf5, then scores test.hdf5 (the official val images): the classification
report, rank-1 and rank-5, in output/deepergooglenet_tiny_imagenet/<run-id>/ (see
pyimagesearch/training/). rank_accuracy.py and evaluate.py score a run again from its folder.
"""

import argparse
import sys

import keras

import config
from pyimagesearch.nn.conv import DeeperGoogLeNet
from pyimagesearch.training import flags, tinyimagenetrun
from pyimagesearch.utils import cli


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    flags.add_run_arguments(
        parser,
        **flags.config_defaults(config, dataset=config.HDF5_DIR),
        dataset_help="the HDF5 folder made by build_dataset.py",
    )
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=True)
    return flags.parse_run_arguments(parser)


def main():
    arguments = parse_arguments()

    def build_and_compile(input_shape, classes, steps_per_epoch):
        height, width, depth = input_shape
        model = DeeperGoogLeNet.build(width=width, height=height, depth=depth, classes=classes, reg=config.L2)
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=arguments.learning_rate),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
        )
        return model

    tinyimagenetrun.train(arguments, config.EXPERIMENT, build_and_compile)


if __name__ == "__main__":
    sys.exit(cli.run(main))
