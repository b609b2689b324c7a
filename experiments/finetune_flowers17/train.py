"""Fine-tune VGG16 (or another keras.applications network) on Flowers-17 or any image folder.

    python experiments/finetune_flowers17/train.py                    # Flowers-17, ImageNet weights
    python experiments/finetune_flowers17/train.py --dataset synthetic-flowers17 --weights none --image-size 64
    python experiments/finetune_flowers17/train.py --weights path/to/vgg16_notop.h5 --folds 5
    python experiments/finetune_flowers17/train.py --unfreeze-from 11 --layer-lr-multipliers 0.4,0.6 \\
        --lr-decay-rate 0.95 --weight-decay 1e-4

Network surgery: the backbone without its classifier gets a new FCHeadNet head (256 units).
Stage 1 ("warmup") trains only the head, every base layer frozen (RMSprop 1e-3, 25 epochs);
stage 2 ("finetune") also trains the base from --unfreeze-from on (15 = VGG16's block5; SGD
1e-3, 100 epochs). Images are resized aspect-aware, converted BGR->RGB and passed through the
backbone's own preprocess_input; augmentation (training data only) runs in tf.data.

Everything goes into output/finetune_flowers17/<run-id>/: config.json, split.json,
warmup/ and finetune/ (history.json, training.png, stage.json), stages.json (which layer
indices were trainable in each stage), model.keras and the classification report. With
--folds K (stratified, seeded) each fold is a sub-run fold_1/ ... fold_K/, and
cross_validation.json holds the accuracy of every fold with mean and standard deviation.
evaluate.py rebuilds the report from the run folder alone.
"""

import argparse
import os
import sys

import config
from pyimagesearch.datasets import catalog, imagefiles, splits
from pyimagesearch.io import pipeline
from pyimagesearch.preprocessing import build_augmentation
from pyimagesearch.nn import applications
from pyimagesearch.training import fitting, reports, runs
from pyimagesearch.transfer import finetuning
from pyimagesearch.utils import atomic, cli, errors, seeding, strategy


def multiplier_list(text):
    """argparse type for "0.4,0.6": a tuple of positive floats ("" or "none": no multipliers)."""
    if text.strip().lower() in ("", "none"):
        return ()
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers such as 0.4,0.6, got {text!r}") from None
    if any(not value > 0 for value in values):
        raise argparse.ArgumentTypeError(f"every multiplier must be positive, got {text!r}")
    return values


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default=config.DATASET, help="catalog name or folder of class subfolders")
    parser.add_argument("--backbone", default=config.BACKBONE, help="keras.applications name: vgg16, resnet50, ...")
    parser.add_argument("--weights", default=config.WEIGHTS, help="imagenet | none | PATH (a file without the top)")
    parser.add_argument("--image-size", type=int, default=config.IMAGE_SIZE, help="square input (default: backbone's)")
    parser.add_argument("--unfreeze-from", default=config.UNFREEZE_FROM,
                        help="layer index or name from which stage 2 trains the base")
    parser.add_argument("--warmup-epochs", type=int, default=config.WARMUP_EPOCHS)
    parser.add_argument("--epochs", type=int, default=config.EPOCHS, help="epochs of stage 2 (fine-tuning)")
    parser.add_argument("--warmup-learning-rate", type=float, default=config.WARMUP_LEARNING_RATE)
    parser.add_argument("--learning-rate", type=float, default=config.LEARNING_RATE, help="stage 2 (the head's rate)")
    parser.add_argument("--layer-lr-multipliers", type=multiplier_list, default=config.LAYER_LR_MULTIPLIERS,
                        help="stage 2 rate factors for the unfrozen base blocks, earliest first, e.g. 0.4,0.6")
    parser.add_argument("--lr-decay-rate", type=float, default=config.LR_DECAY_RATE,
                        help="multiply the learning rate by this every epoch")
    parser.add_argument("--weight-decay", type=float, default=config.WEIGHT_DECAY)
    parser.add_argument("--dense", type=int, default=config.DENSE, help="units in the head's hidden layer")
    parser.add_argument("--folds", type=int, default=config.FOLDS,
                        help="stratified k-fold cross-validation (1: one 75/25 split)")
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=config.AUGMENT)
    parser.add_argument("--batch-size", type=int, default=config.BATCH_SIZE, help="per replica")
    parser.add_argument("--seed", type=int, default=config.SEED)
    parser.add_argument("--output", default=config.OUTPUT, help="root folder for run folders")
    parser.add_argument("--run-id", default=None, help="name of the run folder (default: a timestamp)")
    return parser.parse_args(argv)


def validate_arguments(arguments):
    """Refuses bad settings before anything is loaded, built or downloaded."""
    applications.validate_name(arguments.backbone)
    applications.parse_weights(arguments.weights)
    minimums = {"warmup_epochs": 0, "epochs": 0, "batch_size": 1, "folds": 1, "dense": 1, "seed": 0}
    for name, minimum in minimums.items():
        value = getattr(arguments, name)
        if value < minimum:
            raise errors.InvalidArgumentError(f"--{name.replace('_', '-')} must be >= {minimum}. Received: {name}={value}")
    if arguments.image_size is not None and arguments.image_size < 8:
        raise errors.InvalidArgumentError(f"--image-size must be >= 8. Received: image_size={arguments.image_size}")
    # The stages check the rates, decay and multipliers themselves; build them once now to fail early.
    finetuning.two_stage_schedule(
        2, 1, arguments.warmup_epochs, arguments.epochs, arguments.warmup_learning_rate, arguments.learning_rate,
        arguments.layer_lr_multipliers, arguments.lr_decay_rate, arguments.weight_decay,
    )


def make_splits(arguments, paths, dataset_root):
    """One stratified 75/25 split, or --folds stratified folds (each with "fold" and "folds")."""
    if arguments.folds == 1:
        return [splits.split_image_folder(paths, dataset_root, config.TEST_SIZE, arguments.seed)]
    return splits.stratified_kfold_splits(paths, dataset_root, arguments.folds, arguments.seed)


def build_model(arguments, classes, distribution):
    """A fresh surgery model (re-seeded, so every fold starts alike), built inside the strategy's scope."""
    seeding.set_seed(arguments.seed)
    with distribution.scope():
        return finetuning.build_fine_tuning_model(
            arguments.backbone, classes, arguments.weights, arguments.image_size, arguments.dense
        )


def train_fold(arguments, distribution, model, head_start, split, fold_dir, data):
    """Runs both stages on one split and writes the fold's model and report. Returns its metrics."""
    images, labels, kept = data
    class_names = split["class_names"]
    extra = {"replicas": distribution.num_replicas_in_sync, "dataset_root": split["dataset_root"],
             "fold": split.get("fold"), "folds": arguments.folds, "head_start": head_start}
    fold_dir.mkdir(parents=True, exist_ok=True)
    runs.write_run_config(fold_dir, vars(arguments), seed=arguments.seed, extra=extra)
    splits.save_split(split, fold_dir / "split.json")
    train_rows = finetuning.split_indices(kept, split, "train")
    test_rows = finetuning.split_indices(kept, split, "test")
    global_batch_size = arguments.batch_size * distribution.num_replicas_in_sync
    augmentation = build_augmentation(seed=arguments.seed) if arguments.augment else None
    train_dataset = pipeline.make_array_dataset(
        images[train_rows], labels[train_rows], global_batch_size,
        finetuning.backbone_batch_transform(arguments.backbone, len(class_names), augmentation),
        shuffle=True, seed=arguments.seed, replicas=distribution.num_replicas_in_sync,
    )
    test_dataset = pipeline.make_array_dataset(
        images[test_rows], labels[test_rows], global_batch_size,
        finetuning.backbone_batch_transform(arguments.backbone, len(class_names)),
        replicas=distribution.num_replicas_in_sync,
    )
    stages = finetuning.two_stage_schedule(
        head_start, arguments.unfreeze_from, arguments.warmup_epochs, arguments.epochs,
        arguments.warmup_learning_rate, arguments.learning_rate, arguments.layer_lr_multipliers,
        arguments.lr_decay_rate, arguments.weight_decay,
    )
    print(f"[INFO] {fold_dir}: {len(train_rows)} training and {len(test_rows)} held-out images, "
          f"{distribution.num_replicas_in_sync} replica(s), global batch {global_batch_size}")
    finetuning.run_stages(
        model, stages, distribution, train_dataset, test_dataset, fold_dir, head_start, fitting.fit_verbosity()
    )
    atomic.save_model(model, fold_dir / runs.FINAL_MODEL)
    metrics = reports.evaluate_and_report(model, test_dataset, labels[test_rows], class_names, fold_dir)
    print((fold_dir / "classification_report.txt").read_text(encoding="utf-8"))
    print(f"[INFO] test accuracy: {metrics['accuracy']:.4f} ({fold_dir})")
    return metrics


def prepare(arguments):
    """Checks everything that can fail fast: arguments, data set, weights and the unfreeze layer.

    The model is built before any image is loaded, so missing weights or a bad layer fail
    within seconds. Returns (dataset_root, paths, fold_splits, distribution, model, head_start).
    """
    validate_arguments(arguments)
    dataset_root = catalog.resolve_dataset(arguments.dataset)
    paths = imagefiles.list_images(dataset_root)
    fold_splits = make_splits(arguments, paths, dataset_root)
    arguments.image_size = arguments.image_size or applications.default_image_size(arguments.backbone)
    distribution = strategy.get_strategy()
    model, head_start = build_model(arguments, len(fold_splits[0]["class_names"]), distribution)
    arguments.unfreeze_from = finetuning.resolve_layer_index(model, arguments.unfreeze_from, head_start)
    return dataset_root, paths, fold_splits, distribution, model, head_start


def run(arguments, prepared):
    dataset_root, paths, fold_splits, distribution, model, head_start = prepared
    class_names = fold_splits[0]["class_names"]
    run_dir = runs.create_run_folder(config.EXPERIMENT, arguments.output, arguments.run_id)
    unfreeze_from = arguments.unfreeze_from
    first_trainable = model.layers[unfreeze_from].name if unfreeze_from < head_start else "head only"
    size = arguments.image_size
    print(f"[INFO] run folder: {run_dir}")
    print(f"[INFO] {arguments.backbone} (weights={arguments.weights}) at {size}x{size}; head from layer "
          f"{head_start}; stage 2 trains from layer {unfreeze_from} ({first_trainable})")
    relative_paths = [os.path.relpath(path, dataset_root) for path in paths]
    print("[INFO] loading images...")
    data = finetuning.load_images_once(dataset_root, relative_paths, class_names, arguments.image_size)
    if arguments.folds > 1:
        runs.write_run_config(run_dir, vars(arguments), seed=arguments.seed,
                              extra={"replicas": distribution.num_replicas_in_sync, "dataset_root": str(dataset_root),
                                     "folds": arguments.folds, "head_start": head_start})
    fold_metrics = []
    for split in fold_splits:
        fold_dir = run_dir if arguments.folds == 1 else run_dir / finetuning.fold_folder_name(split["fold"])
        if model is None:
            model, head_start = build_model(arguments, len(class_names), distribution)
        fold_metrics.append(train_fold(arguments, distribution, model, head_start, split, fold_dir, data))
        model = None
    if arguments.folds > 1:
        summary = finetuning.write_cross_validation(run_dir, fold_metrics)
        accuracies = ", ".join(f"{value:.4f}" for value in summary["accuracy"])
        print(f"[INFO] {arguments.folds}-fold accuracy: mean {summary['mean_accuracy']:.4f}, "
              f"std {summary['std_accuracy']:.4f} (folds: {accuracies}); run folder: {run_dir}")


def main(argv=None):
    arguments = parse_arguments(argv)
    run(arguments, prepare(arguments))


if __name__ == "__main__":
    # Bad flags, missing data or weights: one clear line ("error: ...") and exit code 2.
    sys.exit(cli.run(main))
