"""Train a bounding-box regressor: one object per image, four corners in [0, 1].

    python experiments/bbox_regression/train.py                               # synthetic-boxes, MiniVGGNet, offline
    python experiments/bbox_regression/train.py --dataset synthetic-boxes-5000 --epochs 60
    python experiments/bbox_regression/train.py --dataset path/to/annotations.csv --backbone vgg16 --weights imagenet
    python experiments/bbox_regression/train.py --resume output/bbox_regression/<run-id>

The dataset is an annotation CSV (`filename,start_x,start_y,end_x,end_y` per row, pixels,
files relative to the CSV's folder), a folder holding `annotations.csv`, or the generated
`synthetic-boxes` set. The rows are checked, split at random (seeded, 80/20) and the images
loaded, resized to a square, before a run folder is made: a bad row stops the run there,
naming the CSV line; an image that can't be decoded is left out, counted in one line and
listed in <run>/skipped.txt.

The network is a frozen VGG16 (`--backbone vgg16`, `--weights imagenet|none|PATH`, the
tutorial's setting; `--train-backbone` trains it too) or MiniVGGNet's convolutional part
trained from scratch (`--backbone minivggnet`, the default), with the tutorial's head (FC
128-64-32, 4 sigmoid outputs), mean squared error on the scaled corners and Adam. Instead
of a classification report, the run folder gets the held-out IoU report: metrics.json (mean
IoU, share of boxes with IoU >= 0.5 and 0.75, ...) and iou_report.txt. evaluate.py
rebuilds it from the run folder alone; predict.py draws the boxes.
"""

import argparse
import sys

import keras

import config
from pyimagesearch.datasets import boxannotations, imagefolder
from pyimagesearch.io import pipeline
from pyimagesearch.nn import applications, boxes
from pyimagesearch.nn.conv.boxregressor import BACKBONES, BoxRegressor, MINIMUM_SIZES
from pyimagesearch.training import fitting, flags, runs
from pyimagesearch.utils import cli, errors, validation


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    flags.add_run_arguments(
        parser,
        **flags.config_defaults(config),
        dataset_help="synthetic-boxes[-IMAGES], an annotation CSV, or a folder holding annotations.csv",
        learning_rate_help="Adam's (with --resume: the new rate from the resume epoch on)",
    )
    parser.add_argument("--backbone", choices=BACKBONES, default=config.BACKBONE)
    parser.add_argument(
        "--weights", default=None, help="vgg16 only: imagenet | none | PATH (default: imagenet for vgg16)"
    )
    parser.add_argument(
        "--train-backbone", action=argparse.BooleanOptionalAction, default=False,
        help="vgg16 only: train the backbone too (the tutorial keeps it frozen); MiniVGGNet is always trained",
    )
    parser.add_argument("--image-size", type=int, default=None, help="square input side (default: 48 MiniVGGNet, 224 VGG16)")
    arguments = flags.parse_run_arguments(parser)
    check_model_arguments(arguments)
    return arguments


def check_model_arguments(arguments):
    """Fills the per-backbone defaults and refuses combinations that can't train."""
    if arguments.image_size is None:
        arguments.image_size = config.IMAGE_SIZES[arguments.backbone]
    validation.check_image_size("--image-size", arguments.image_size, minimum=MINIMUM_SIZES[arguments.backbone])
    if arguments.weights is None:
        arguments.weights = config.WEIGHTS[arguments.backbone]
    parsed = applications.parse_weights(arguments.weights)
    if parsed is not None and not isinstance(parsed, str):
        arguments.weights = str(parsed.resolve())  # absolute, so --resume finds it from anywhere
    if arguments.backbone == "minivggnet" and (parsed is not None or arguments.train_backbone):
        raise errors.InvalidArgumentError(
            "--weights and --train-backbone are for --backbone vgg16: MiniVGGNet is always trained from "
            f"scratch. Received: --weights {arguments.weights} --train-backbone {arguments.train_backbone}"
        )


def prepare_run(arguments):
    """Creates (or reopens, to resume) the run folder; returns (run_dir, split, parts).

    A new run reads and splits the annotations and loads the images before the folder is
    made, so a bad row or unavailable weights leave nothing behind. `parts` is
    {"train": (images, boxes), "test": (images, boxes)}.
    """
    prepared = {}

    def split_and_load():
        if applications.parse_weights(arguments.weights) == applications.IMAGENET:
            # Fails within seconds, with how to run offline, if the weights can't be had.
            applications.build_application(arguments.backbone, include_top=False, image_size=arguments.image_size)
        csv_path = boxannotations.resolve_annotations(arguments.dataset)
        annotations = boxannotations.read_annotations(csv_path)
        prepared["split"] = boxannotations.split_annotations(annotations, csv_path, config.TEST_SIZE, arguments.seed)
        prepared["loaded"] = load_parts(prepared["split"], arguments.image_size)

    if arguments.resume:
        run_dir = runs.open_run(arguments, config.EXPERIMENT)
        prepared["split"] = boxannotations.load_split(run_dir / "split.json")
        prepared["loaded"] = load_parts(prepared["split"], arguments.image_size)
    else:
        run_dir = runs.open_run(arguments, config.EXPERIMENT, before_create=split_and_load)
        boxannotations.save_split(prepared["split"], run_dir / "split.json")
    split, (parts, skipped) = prepared["split"], prepared["loaded"]
    imagefolder.record_skipped(run_dir, skipped, len(split["train"]) + len(split["test"]))
    return run_dir, split, parts


def load_parts(split, image_size):
    print("[INFO] loading images...")
    parts, skipped = {}, []
    for part in boxannotations.SPLIT_PARTS:
        images, part_boxes, part_skipped = boxannotations.load_part(split, part, image_size)
        parts[part] = (images, part_boxes)
        skipped += part_skipped
    return parts, skipped


def main():
    arguments = parse_arguments()
    run_dir, split, parts = prepare_run(arguments)
    distribution, global_batch_size = fitting.start_run(run_dir, arguments, extra={"annotations": split["annotations"]})
    transform = pipeline.make_batch_transform(one_hot=False, **BoxRegressor.input_scaling(arguments.backbone))
    train_images, train_boxes = parts["train"]
    test_images, test_boxes = parts["test"]
    train_dataset = pipeline.make_array_dataset(
        train_images, train_boxes, global_batch_size, transform, shuffle=True, seed=arguments.seed
    )
    test_dataset = pipeline.make_array_dataset(test_images, test_boxes, global_batch_size, transform)

    def build_and_compile():
        backbone = BoxRegressor.backbone(
            arguments.backbone, arguments.image_size, weights=arguments.weights,
            trainable=True if arguments.backbone == "minivggnet" else arguments.train_backbone,
        )
        model = BoxRegressor.build(backbone)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=arguments.learning_rate), loss="mse")
        return model

    model = fitting.train(run_dir, distribution, build_and_compile, train_dataset, test_dataset, arguments)
    print("[INFO] scoring the held-out boxes...")
    metrics = boxes.write_iou_report(run_dir, test_boxes, model.predict(test_dataset, verbose=0))
    print(boxes.report_text(metrics), end="")
    print(f"[INFO] report in {run_dir / boxes.REPORT_NAME}")


if __name__ == "__main__":
    sys.exit(cli.run(main))
