"""Train ShallowNet on the course's animals, or on any folder of class subfolders.

    python experiments/shallownet_animals/train.py --dataset datasets/animals
    python experiments/shallownet_animals/train.py --dataset digits --classes 0 1 2      # offline
    python experiments/shallownet_animals/train.py --resume output/shallownet_animals/<run-id>

Images are resized to --image-size squares ignoring the aspect ratio (SimplePreprocessor, then
ImageToArrayPreprocessor) and split 75/25, stratified and seeded, before a run folder is
made; --classes keeps only the named class folders. ShallowNet trains with plain SGD inside
the strategy's scope. Everything goes into output/shallownet_animals/<run-id>/ (config.json,
split.json, skipped.txt, history.json and training.png, checkpoints, model.keras, the
classification report); evaluate.py rebuilds the report and predict.py labels held-out
images from that folder alone.
"""

import argparse
import sys

import keras

import config
from pyimagesearch.datasets import catalog, classselection, imagefiles, imagefolder, splits
from pyimagesearch.io import pipeline
from pyimagesearch.nn.conv.shallownet import ShallowNet
from pyimagesearch.training import fitting, flags, heldout, reports, runs
from pyimagesearch.utils import cli, seeding, strategy


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    flags.add_run_arguments(
        parser,
        **flags.config_defaults(config),
    )
    parser.add_argument("--classes", nargs="+", default=config.CLASSES, metavar="NAME",
                        help="train on these class folders only (default: all)")
    parser.add_argument("--image-size", type=int, default=config.IMAGE_SIZE)
    return flags.parse_run_arguments(parser)


def split_dataset(arguments):
    """The stratified, seeded split of --dataset (only --classes, if given)."""
    dataset_root = catalog.resolve_dataset(arguments.dataset)
    paths = classselection.select_classes(imagefiles.list_images(dataset_root), arguments.classes, dataset_root)
    return splits.split_image_folder(paths, dataset_root, config.TEST_SIZE, arguments.seed)


def load_images(split, image_size):
    print("[INFO] loading images...")
    return imagefolder.load_split(split, image_size, preprocessors=config.preprocessors(image_size))


def prepare_run(arguments):
    """Returns (run_dir, split, images); a new run splits and loads before its folder exists,
    so a dataset that can't train leaves nothing behind. A resumed run reads its split.json."""
    if arguments.resume:
        run_dir = runs.open_run(arguments, config.EXPERIMENT)
        split = splits.load_split(run_dir / "split.json")
        images, skipped = load_images(split, arguments.image_size)
    else:
        prepared = {}

        def split_and_load():
            prepared["split"] = split_dataset(arguments)
            prepared["loaded"] = load_images(prepared["split"], arguments.image_size)

        run_dir = runs.open_run(arguments, config.EXPERIMENT, before_create=split_and_load)
        split, (images, skipped) = prepared["split"], prepared["loaded"]
        splits.save_split(split, run_dir / "split.json")
    imagefolder.record_skipped(run_dir, skipped, len(split["train"]) + len(split["test"]))
    return run_dir, split, images


def main():
    arguments = parse_arguments()
    run_dir, split, images = prepare_run(arguments)
    seeding.set_seed(arguments.seed, deterministic=arguments.deterministic)
    distribution = strategy.get_strategy()
    runs.write_run_config(
        run_dir, vars(arguments), seed=arguments.seed,
        extra={"replicas": distribution.num_replicas_in_sync, "dataset_root": split["dataset_root"]},
    )
    print(f"[INFO] run folder: {run_dir}")
    global_batch_size = arguments.batch_size * distribution.num_replicas_in_sync
    class_names = split["class_names"]
    train_images, train_labels = images["train"]
    train_dataset = pipeline.make_array_dataset(
        train_images, train_labels, global_batch_size, pipeline.make_batch_transform(len(class_names)),
        shuffle=True, seed=arguments.seed,
    )
    test_dataset, test_labels, _ = heldout.from_split(
        split, arguments.image_size, global_batch_size, loaded=images["test"]
    )
    size = arguments.image_size

    def build_and_compile():
        model = ShallowNet.build(width=size, height=size, depth=3, classes=len(class_names))
        model.compile(
            optimizer=keras.optimizers.SGD(learning_rate=arguments.learning_rate),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
        )
        return model

    model = fitting.train(run_dir, distribution, build_and_compile, train_dataset, test_dataset, arguments)
    print("[INFO] evaluating on the held-out split...")
    metrics = reports.evaluate_and_report(model, test_dataset, test_labels, class_names, run_dir)
    reports.print_report(run_dir, metrics)


if __name__ == "__main__":
    sys.exit(cli.run(main))
