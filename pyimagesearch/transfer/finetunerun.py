"""A whole fine-tuning run: checks, splits or folds, both stages, the report; resumable.

    arguments = parser.parse_args()     # the flags of experiments/finetune_flowers17/train.py
    finetunerun.main(arguments, experiment="finetune_flowers17", test_size=0.25)

The run folder holds config.json, split.json, one folder per stage (warmup/, finetune/: the
stage's history.json, training.png, checkpoints/ and, once it finished, stage.json and the
model it ended with), stages.json, model.keras and the report. With `folds` > 1 each fold is
a sub-run fold_K/ and cross_validation.json summarises them.

`--resume RUN` reopens the folder with its saved settings (`runs.open_run`): finished folds
are kept, finished stages are skipped, and the stage in progress continues from its newest
checkpoint with its optimizer state.
"""

import os

from pyimagesearch.datasets import catalog, imagefiles, splits
from pyimagesearch.io import pipeline
from pyimagesearch.nn import applications
from pyimagesearch.preprocessing import build_augmentation
from pyimagesearch.training import checks, fitting, flags, reports, runs
from pyimagesearch.transfer import finetuning
from pyimagesearch.utils import atomic, errors, precision, seeding, sessions, strategy, validation


def validate_arguments(arguments):
    """Refuses bad settings before anything is loaded, built or downloaded."""
    # The stages fit through transfer.finetuning, which doesn't share batches between processes.
    flags.refuse_several_processes(arguments, "A fine-tuning run")
    applications.validate_name(arguments.backbone)
    applications.parse_weights(arguments.weights)
    minimums = {"warmup_epochs": 0, "epochs": 0, "batch_size": 1, "folds": 1, "dense": 1, "seed": 0,
                "checkpoint_every": 1}
    for name, minimum in minimums.items():
        validation.check_integer(name, getattr(arguments, name), minimum)
    if arguments.image_size is not None:
        validation.check_image_size("image_size", arguments.image_size, minimum=8)
    if getattr(arguments, "from_epoch", None) is not None:
        raise errors.InvalidArgumentError(
            "A fine-tuning run resumes stage by stage from each stage's newest checkpoint; --from-epoch "
            f"is for single-stage runs. Received: --from-epoch {arguments.from_epoch}"
        )
    for flag, name in (("--overfit", "overfit"), ("--find-lr", "find_lr")):
        if getattr(arguments, name, None) not in (None, False):
            # Two stages with their own rates and frozen layers: which stage a range test or an
            # overfit check would judge is not one question. Run them on the backbone's head alone.
            raise errors.InvalidArgumentError(
                f"{flag} checks a single-stage run; a fine-tuning run has two stages with their own rates. "
                f"Received: {flag}"
            )
    if not arguments.resume:
        choice = precision.resolve(getattr(arguments, "precision", "auto"))
        arguments.precision_policy, arguments.precision_reason = choice.policy, choice.reason
    # The stages check the rates, decay and multipliers themselves; build them once now to fail early.
    finetuning.two_stage_schedule(
        2, 1, arguments.warmup_epochs, arguments.epochs, arguments.warmup_learning_rate, arguments.learning_rate,
        arguments.layer_lr_multipliers, arguments.lr_decay_rate, arguments.weight_decay,
    )


def make_splits(arguments, paths, dataset_root, test_size):
    """One stratified split (`test_size` held out), or `folds` stratified folds."""
    if arguments.folds == 1:
        return [splits.split_image_folder(paths, dataset_root, test_size, arguments.seed)]
    return splits.stratified_kfold_splits(paths, dataset_root, arguments.folds, arguments.seed)


def build_model(arguments, classes, distribution):
    """A fresh surgery model (re-seeded, so every fold starts alike), built inside the strategy's scope."""
    seeding.set_seed(arguments.seed, deterministic=arguments.deterministic)
    with precision.policy_scope(getattr(arguments, "precision_policy", "float32")), distribution.scope():
        return finetuning.build_fine_tuning_model(
            arguments.backbone, classes, arguments.weights, arguments.image_size, arguments.dense
        )


def prepare(arguments, test_size):
    """Checks everything that can fail fast: arguments, data set, weights and the unfreeze layer.

    The model is built before any image is loaded, so missing weights or a bad layer fail
    within seconds. Resolves `image_size` and `unfreeze_from` in `arguments`, so config.json
    records what was used. Returns (dataset_root, paths, fold_splits, distribution, model,
    head_start).
    """
    validate_arguments(arguments)
    dataset_root = catalog.resolve_dataset(arguments.dataset)
    paths = imagefiles.list_images(dataset_root)
    fold_splits = make_splits(arguments, paths, dataset_root, test_size)
    arguments.image_size = arguments.image_size or applications.default_image_size(arguments.backbone)
    distribution = strategy.get_strategy()
    model, head_start = build_model(arguments, len(fold_splits[0]["class_names"]), distribution)
    arguments.unfreeze_from = finetuning.resolve_layer_index(model, arguments.unfreeze_from, head_start)
    return dataset_root, paths, fold_splits, distribution, model, head_start


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
    if getattr(arguments, "preview_augmentation", False):
        path = checks.write_augmentation_preview(train_dataset, fold_dir / checks.PREVIEW_NAME)
        print(f"[INFO] wrote {path}: the first training images as the network receives them")
        raise SystemExit(0)
    stages = finetuning.two_stage_schedule(
        head_start, arguments.unfreeze_from, arguments.warmup_epochs, arguments.epochs,
        arguments.warmup_learning_rate, arguments.learning_rate, arguments.layer_lr_multipliers,
        arguments.lr_decay_rate, arguments.weight_decay,
    )
    print(f"[INFO] {fold_dir}: {len(train_rows)} training and {len(test_rows)} held-out images, "
          f"{distribution.num_replicas_in_sync} replica(s), global batch {global_batch_size}")
    _, model = finetuning.continue_stages(
        model, stages, distribution, train_dataset, test_dataset, fold_dir, head_start, fitting.fit_verbosity(),
        checkpoint_every=arguments.checkpoint_every,
    )
    atomic.save_model(model, fold_dir / runs.FINAL_MODEL)
    metrics = reports.evaluate_and_report(model, test_dataset, labels[test_rows], class_names, fold_dir)
    reports.print_report(fold_dir, metrics)
    return metrics


def run(arguments, prepared, run_dir):
    """Trains every fold of `prepared` (from `prepare`) into `run_dir`; a fold that finished
    before (its metrics.json exists, after `--resume`) is kept as it is."""
    dataset_root, paths, fold_splits, distribution, model, head_start = prepared
    class_names = fold_splits[0]["class_names"]
    unfreeze_from = arguments.unfreeze_from
    first_trainable = model.layers[unfreeze_from].name if unfreeze_from < head_start else "head only"
    size = arguments.image_size
    print(f"[INFO] run folder: {run_dir}")
    print(f"[INFO] precision: {getattr(arguments, 'precision_policy', 'float32')} "
          f"({getattr(arguments, 'precision_reason', 'a run from before --precision')})")
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
        finished = _finished_metrics(fold_dir)
        if finished is not None:
            print(f"[INFO] {fold_dir} finished before; keeping its model and report")
            fold_metrics.append(finished)
            continue
        if model is None:
            model, head_start = build_model(arguments, len(class_names), distribution)
        fold_metrics.append(train_fold(arguments, distribution, model, head_start, split, fold_dir, data))
        model = None
        sessions.release_models()  # or every fold's model stays in memory until the run ends
    if arguments.folds > 1:
        summary = finetuning.write_cross_validation(run_dir, fold_metrics)
        accuracies = ", ".join(f"{value:.4f}" for value in summary["accuracy"])
        print(f"[INFO] {arguments.folds}-fold accuracy: mean {summary['mean_accuracy']:.4f}, "
              f"std {summary['std_accuracy']:.4f} (folds: {accuracies}); run folder: {run_dir}")


def main(arguments, experiment, test_size):
    """train.py's work: checks, then a new run folder (or the `--resume` one), then `run`."""
    prepared = {}
    if arguments.resume:
        run_dir = runs.open_run(arguments, experiment)
        prepared["run"] = prepare(arguments, test_size)
    else:
        # The checks and the model come first, so a failure leaves no run folder behind.
        run_dir = runs.open_run(
            arguments, experiment, before_create=lambda: prepared.update(run=prepare(arguments, test_size))
        )
    run(arguments, prepared["run"], run_dir)


def _finished_metrics(fold_dir):
    import json

    metrics_path = fold_dir / reports.METRICS_NAME
    if not (fold_dir / runs.FINAL_MODEL).is_file() or not metrics_path.is_file():
        return None
    return json.loads(metrics_path.read_text(encoding="utf-8"))
