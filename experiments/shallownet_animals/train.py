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
from pyimagesearch.nn.conv.shallownet import ShallowNet
from pyimagesearch.training import fitting, flags, heldout, reports
from pyimagesearch.utils import cli


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    flags.add_run_arguments(parser, **flags.config_defaults(config))
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


def main():
    arguments = parse_arguments()
    run_dir, split, images = heldout.open_split_run(
        arguments, config.EXPERIMENT, lambda: split_dataset(arguments),
        lambda split: load_images(split, arguments.image_size),
    )
    distribution, global_batch_size = fitting.start_run(
        run_dir, arguments, extra={"dataset_root": split["dataset_root"]}
    )
    train_dataset, test_dataset, test_labels, class_names = heldout.datasets_from_split(
        split, images, arguments.image_size, global_batch_size, arguments.seed
    )
    size = arguments.image_size

    def build_and_compile():
        model = ShallowNet.build(width=size, height=size, depth=3, classes=len(class_names))
        return fitting.compile_classifier(model, keras.optimizers.SGD(learning_rate=arguments.learning_rate))

    model = fitting.train(run_dir, distribution, build_and_compile, train_dataset, test_dataset, arguments)
    reports.evaluate_and_print(model, test_dataset, test_labels, class_names, run_dir, on="the held-out split")


if __name__ == "__main__":
    sys.exit(cli.run(main))
