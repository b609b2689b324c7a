"""Train MiniVGGNet on Flowers-17, or on any folder of class subfolders.

    python experiments/minivgg_flowers17/train.py --dataset synthetic-flowers17
    python experiments/minivgg_flowers17/train.py --dataset path/to/folder --no-augment
    python experiments/minivgg_flowers17/train.py --resume output/minivgg_flowers17/<run-id>

Everything the run makes goes into output/minivgg_flowers17/<run-id>/ (see
pyimagesearch/utils/training.py); evaluate.py rebuilds the report from that folder alone.
"""

import argparse

import keras

import config
from pyimagesearch.datasets import catalog, imagefiles, imagefolder, splits
from pyimagesearch.io import pipeline
from pyimagesearch.nn.conv import MiniVGGNet
from pyimagesearch.preprocessing import build_augmentation
from pyimagesearch.utils import cli, runs, seeding, strategy, training


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default=config.DATASET, help="catalog name or folder of class subfolders")
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=config.AUGMENT)
    parser.add_argument("--epochs", type=int, default=config.EPOCHS)
    parser.add_argument("--batch-size", type=int, default=config.BATCH_SIZE, help="per replica")
    parser.add_argument("--learning-rate", type=float, default=config.LEARNING_RATE)
    parser.add_argument("--image-size", type=int, default=config.IMAGE_SIZE)
    parser.add_argument("--checkpoint-every", type=int, default=config.CHECKPOINT_EVERY, help="epochs")
    parser.add_argument("--seed", type=int, default=config.SEED)
    parser.add_argument("--output", default=config.OUTPUT, help="root folder for run folders")
    parser.add_argument("--run-id", default=None, help="name of the run folder (default: a timestamp)")
    parser.add_argument("--resume", default=None, metavar="RUN_DIR", help="continue an interrupted run")
    return parser.parse_args()


def prepare_run(arguments):
    """Creates (or reopens, to resume) the run folder and its split. Returns (run_dir, split)."""
    if arguments.resume:
        run_dir = training.open_run(arguments, config.EXPERIMENT)
        return run_dir, splits.load_split(run_dir / "split.json")
    dataset_root = catalog.resolve_dataset(arguments.dataset)
    paths = imagefiles.list_images(dataset_root)
    split = splits.split_image_folder(paths, dataset_root, config.TEST_SIZE, arguments.seed)
    run_dir = training.open_run(arguments, config.EXPERIMENT)
    splits.save_split(split, run_dir / "split.json")
    return run_dir, split


def main():
    arguments = parse_arguments()
    run_dir, split = prepare_run(arguments)
    seeding.set_seed(arguments.seed)
    distribution = strategy.get_strategy()
    runs.write_run_config(
        run_dir, vars(arguments), seed=arguments.seed,
        extra={"replicas": distribution.num_replicas_in_sync, "dataset_root": split["dataset_root"]},
    )
    class_names = split["class_names"]
    size = arguments.image_size
    print(f"[INFO] run folder: {run_dir}")
    print("[INFO] loading images...")
    train_images, train_labels, _ = imagefolder.load_split_images(split, "train", size)
    test_images, test_labels, _ = imagefolder.load_split_images(split, "test", size)

    global_batch_size = arguments.batch_size * distribution.num_replicas_in_sync
    augmentation = build_augmentation(seed=arguments.seed) if arguments.augment else None
    train_dataset = pipeline.make_array_dataset(
        train_images, train_labels, global_batch_size,
        pipeline.make_batch_transform(len(class_names), augmentation=augmentation),
        shuffle=True, seed=arguments.seed,
    )
    test_dataset = pipeline.make_array_dataset(
        test_images, test_labels, global_batch_size, pipeline.make_batch_transform(len(class_names))
    )

    def build_and_compile():
        model = MiniVGGNet.build(width=size, height=size, depth=3, classes=len(class_names))
        model.compile(
            optimizer=keras.optimizers.SGD(learning_rate=arguments.learning_rate),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
        )
        return model

    model, initial_epoch = training.build_or_resume_model(run_dir, distribution, build_and_compile)
    print(f"[INFO] training on {distribution.num_replicas_in_sync} replica(s), global batch {global_batch_size}")
    training.fit_and_save(model, train_dataset, test_dataset, arguments, run_dir, initial_epoch)
    print("[INFO] evaluating on the held-out split...")
    metrics = training.evaluate_and_report(model, test_dataset, test_labels, class_names, run_dir)
    training.print_report(run_dir, metrics)


if __name__ == "__main__":
    cli.run(main)
