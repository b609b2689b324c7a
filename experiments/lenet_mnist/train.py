"""Train LeNet on MNIST (the course's settings), or on scikit-learn's digits, offline.

    python experiments/lenet_mnist/train.py                                     # MNIST, the course
    python experiments/lenet_mnist/train.py --dataset digits                    # digits, the course's settings
    python experiments/lenet_mnist/train.py --dataset digits --recipe digits    # digits, >= 0.99
    python experiments/lenet_mnist/train.py --resume output/lenet_mnist/<run-id>

`--recipe` picks the defaults of --epochs, --batch-size, --learning-rate, --momentum,
--lr-schedule and --augment (config.RECIPES); a flag typed on the command line overrides its
recipe's value. `course` is the course's plain SGD at 0.01, batch 128, 20 epochs; `digits`
adds momentum 0.9, batch 32, 60 epochs, a cosine learning-rate decay and small random
shifts, rotations and zooms (config.AUGMENTATION), drawn in tf.data from (seed, epoch, row).

MNIST is trained on its official 60,000 images and tested on its 10,000 (see README.md for
why). The digits (1,797 real 8x8 handwritten digits that ship with scikit-learn) are resized
to 28x28 in memory and split 75/25, stratified and seeded; the split's rows are kept in
<run>/split.json. Images are 28x28x1, pixels / 255.

Everything the run makes goes into output/lenet_mnist/<run-id>/ (see pyimagesearch/training/);
evaluate.py rebuilds the report from that folder alone.
"""

import argparse
import sys

import keras

import config
from pyimagesearch.datasets import digitimages, splits
from pyimagesearch.io import pipeline
from pyimagesearch.nn.conv.lenet import LeNet
from pyimagesearch.preprocessing.augmentation import build_augmentation
from pyimagesearch.training import fitting, flags, reports, runs
from pyimagesearch.utils import cli, validation

SPLIT_FILE = "split.json"


def parse_arguments(argv=None):
    recipe = recipe_parser().parse_known_args(argv)[0].recipe
    defaults = config.RECIPES[recipe]
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter, parents=[recipe_parser()]
    )
    flags.add_run_arguments(
        parser,
        # The recipe's epochs, batch size and rate; the rest is config's.
        **flags.config_defaults(config, epochs=defaults["epochs"], batch_size=defaults["batch_size"],
                                learning_rate=defaults["learning_rate"]),
        dataset_help="mnist (a catalog name or a path the MNIST loader reads) or digits (scikit-learn's, offline)",
    )
    parser.add_argument("--momentum", type=float, default=defaults["momentum"], help="SGD momentum (0: plain SGD)")
    parser.add_argument(
        "--lr-schedule", choices=config.LR_SCHEDULES, default=defaults["lr_schedule"],
        help="constant, or cosine: from --learning-rate down to 0 over --epochs, step by step",
    )
    parser.add_argument(
        "--augment", action=argparse.BooleanOptionalAction, default=defaults["augment"],
        help="small random shifts, rotations and zooms of the training images (config.AUGMENTATION)",
    )
    arguments = flags.parse_run_arguments(parser, argv)
    validation.check_number("--momentum", arguments.momentum, minimum=0, maximum=1, include_maximum=False)
    return arguments


def recipe_parser():
    """The --recipe flag alone, read first because it sets the other flags' defaults."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(
        "--recipe", choices=sorted(config.RECIPES), default=config.RECIPE,
        help="defaults for --epochs, --batch-size, --learning-rate, --momentum, --lr-schedule, --augment",
    )
    return parser


def prepare_run(arguments):
    """Creates (or reopens, to resume) the run folder; returns (run_dir, train part, test part).

    The data is loaded before a new run folder is made, so a dataset that can't be read
    leaves nothing behind. Each part is (images (N, 28, 28) uint8, labels).
    """
    if arguments.resume:
        run_dir = runs.open_run(arguments, config.EXPERIMENT)
        return (run_dir, *load_parts(arguments, splits.load_split(run_dir / SPLIT_FILE)))
    prepared = {}

    def split_and_load():
        prepared["split"] = make_split(arguments)
        prepared["parts"] = load_parts(arguments, prepared["split"])

    run_dir = runs.open_run(arguments, config.EXPERIMENT, before_create=split_and_load)
    splits.save_split(prepared["split"], run_dir / SPLIT_FILE)
    return (run_dir, *prepared["parts"])


def make_split(arguments):
    """The run's split record: the digits' rows per part, or MNIST's official split by name."""
    if arguments.dataset == config.DIGITS:
        return digitimages.split_digit_images(
            config.IMAGE_SIZE, config.DIGITS_INTERPOLATION, config.TEST_SIZE, arguments.seed
        )
    return {"dataset": arguments.dataset, "split": "official (60,000 train, 10,000 test)"}


def load_parts(arguments, split):
    """((train images, labels), (test images, labels)) of the run's split."""
    print(f"[INFO] loading {arguments.dataset}...")
    if arguments.dataset == config.DIGITS:
        return digitimages.load_split_part(split, "train"), digitimages.load_split_part(split, "test")
    # Imported here so that digits runs need nothing of the MNIST code.
    from pyimagesearch.datasets import mnist

    # The loader refuses, naming the file, anything that is not (N, 28, 28) uint8 with labels 0..9.
    return mnist.load_mnist(arguments.dataset)


def make_datasets(arguments, train_part, test_part, global_batch_size):
    """(train dataset, test dataset): uint8 batches made float32 / 255 in tf.data, one channel."""
    augmentation = build_augmentation(**config.AUGMENTATION, seed=arguments.seed) if arguments.augment else None
    train_images, train_labels = train_part
    train_dataset = pipeline.make_array_dataset(
        train_images[..., None], train_labels, global_batch_size,
        pipeline.make_batch_transform(config.CLASSES, augmentation=augmentation),
        shuffle=True, seed=arguments.seed,
    )
    return train_dataset, heldout_dataset(test_part, global_batch_size)


def heldout_dataset(test_part, batch_size):
    images, labels = test_part
    return pipeline.make_array_dataset(images[..., None], labels, batch_size, pipeline.make_batch_transform(config.CLASSES))


def learning_rate(arguments, steps_per_epoch):
    """A number, or for --lr-schedule cosine a step-based schedule that a checkpoint carries
    (the optimizer's iteration count), so a resumed run continues down the same curve."""
    if arguments.lr_schedule == "constant":
        return arguments.learning_rate
    return keras.optimizers.schedules.CosineDecay(arguments.learning_rate, decay_steps=arguments.epochs * steps_per_epoch)


def main():
    arguments = parse_arguments()
    run_dir, train_part, test_part = prepare_run(arguments)
    distribution, global_batch_size = fitting.start_run(run_dir, arguments, extra={
        "train_images": len(train_part[1]),
        "test_images": len(test_part[1]),
        "augmentation": config.AUGMENTATION if arguments.augment else None,
    })
    train_dataset, test_dataset = make_datasets(arguments, train_part, test_part, global_batch_size)
    steps_per_epoch = int(train_dataset.cardinality())

    def build_and_compile():
        model = LeNet.build(width=config.IMAGE_SIZE, height=config.IMAGE_SIZE, depth=1, classes=config.CLASSES)
        optimizer = keras.optimizers.SGD(learning_rate=learning_rate(arguments, steps_per_epoch),
                                         momentum=arguments.momentum)
        return fitting.compile_classifier(model, optimizer)

    model = fitting.train(run_dir, distribution, build_and_compile, train_dataset, test_dataset, arguments)
    class_names = [str(digit) for digit in range(config.CLASSES)]
    reports.evaluate_and_print(model, test_dataset, test_part[1], class_names, run_dir, on="the held-out split")


if __name__ == "__main__":
    sys.exit(cli.run(main))
