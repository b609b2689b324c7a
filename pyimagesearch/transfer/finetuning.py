"""Fine-tuning a pre-trained network ("network surgery") in stages, with k-fold cross-validation.

The course's recipe, which `experiments/finetune_flowers17` runs:

    model, head_start = build_fine_tuning_model("vgg16", classes=17, weights="imagenet")
    stages = two_stage_schedule(head_start, unfreeze_from=15, warmup_epochs=25, epochs=100)
    run_stages(model, stages, strategy, train_dataset, validation_dataset, run_dir, head_start)

1. Surgery: the network without its classifier (`include_top=False`) gets a new FCHeadNet
   head. The model is built on the base's input, so layer `i` of the model is layer `i` of
   the base, and the head starts at index `head_start = len(base.layers)`.
2. Warm-up: every base layer frozen, only the head trains (RMSprop 1e-3), so the random head
   doesn't wreck the pre-trained filters with large gradients.
3. Fine-tuning: layers from `unfreeze_from` on train too (SGD 1e-3); for VGG16, 15 is
   block5_conv1.

Keras 3 only picks up a change of `layer.trainable` when the model is compiled again, so
`run_stage` sets the flags, then compiles, then fits, and records which layer indices were
trainable (`stages.json` in the run folder). Setting `trainable` on anything but the layers
themselves (or misspelling the attribute, which Python silently accepts) unfreezes nothing;
`set_trainable_from` checks the result and the tests prove that frozen weights stay put.

Options from fine-tuning reports: per-block learning-rate multipliers (earlier blocks learn
slower, e.g. 0.4x and 0.6x; see `layerwiselearningrate`), exponential decay of the rate every
epoch, decoupled weight decay, and stratified k-fold cross-validation
(`datasets.splits.stratified_kfold_splits`, `summarize_folds`).
"""

import dataclasses
import json
import math
import os
import pathlib
import re

import numpy as np

from pyimagesearch.utils import atomic, errors, validation

HEAD_DENSE = 256
STAGES_FILE = "stages.json"
STAGE_FILE = "stage.json"
CROSS_VALIDATION_FILE = "cross_validation.json"
FOLD_FOLDER_PREFIX = "fold_"
OPTIMIZER_NAMES = ("sgd", "rmsprop", "adam", "adamw")
# "block5_conv1" -> "block5", "conv5_block1_1_conv" -> "conv5", "block_16_expand" -> "block_16".
_BLOCK_PATTERN = re.compile(r"^([A-Za-z]+_?\d+)")


@dataclasses.dataclass(frozen=True)
class Stage:
    """One stage of fine-tuning: which layers train, for how long, with which optimizer.

    Attributes:
        name: the stage's folder name in the run folder (e.g. "warmup", "finetune").
        first_trainable: model layers with this index and later train; earlier ones are frozen.
        epochs: epochs of this stage (0 skips it).
        optimizer: "sgd", "rmsprop", "adam" or "adamw".
        learning_rate: the head's (base) learning rate.
        momentum: momentum for SGD and RMSprop.
        weight_decay: decoupled weight decay (Keras' `weight_decay=`), or None.
        decay_rate: multiply the learning rate by this every epoch
            (`keras.optimizers.schedules.ExponentialDecay`, smooth), or None for a constant rate.
        block_multipliers: learning-rate factors for the unfrozen base blocks, earliest first,
            aligned to the blocks just below the head (see `block_layer_multipliers`). Empty:
            every layer at the base rate.
    """

    name: str
    first_trainable: int
    epochs: int
    optimizer: str = "sgd"
    learning_rate: float = 1e-3
    momentum: float = 0.0
    weight_decay: float = None
    decay_rate: float = None
    block_multipliers: tuple = ()

    def __post_init__(self):
        if not isinstance(self.name, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", self.name):
            raise errors.InvalidArgumentError(f"`name` must be a folder name (letters, digits, _ . -). Received: name={self.name!r}")
        validation.check_integer("first_trainable", self.first_trainable, minimum=0)
        validation.check_integer("epochs", self.epochs, minimum=0)
        validation.check_choice("optimizer", self.optimizer, OPTIMIZER_NAMES)
        validation.check_number("learning_rate", self.learning_rate, minimum=0, include_minimum=False)
        validation.check_number("momentum", self.momentum, minimum=0, maximum=1, include_maximum=False)
        if self.weight_decay is not None:
            validation.check_number("weight_decay", self.weight_decay, minimum=0)
        if self.decay_rate is not None:
            validation.check_number("decay_rate", self.decay_rate, minimum=0, maximum=1, include_minimum=False)
        object.__setattr__(self, "block_multipliers", tuple(self.block_multipliers))
        for factor in self.block_multipliers:
            validation.check_number("block_multipliers", factor, minimum=0, include_minimum=False)

    def summary(self):
        """The stage's settings as a JSON-ready dict."""
        return dataclasses.asdict(self) | {"block_multipliers": list(self.block_multipliers)}


def build_fine_tuning_model(backbone, classes, weights="imagenet", image_size=None, dense=HEAD_DENSE):
    """Returns (model, head_start): `backbone` without its top plus an FCHeadNet head.

    Build it inside `strategy.scope()`. `head_start` is the index of the head's first layer,
    which is also the number of base layers. Raises `applications.PretrainedWeightsError` when
    ImageNet weights are asked for but can't be had (see `applications.build_application`).
    """
    from pyimagesearch.nn.conv.fcheadnet import build_surgery_model
    from pyimagesearch.nn import applications

    base = applications.build_application(backbone, weights=weights, include_top=False, image_size=image_size)
    model = build_surgery_model(base, classes, dense=dense)
    head_start = len(base.layers)
    if any(model_layer is not base_layer for model_layer, base_layer in zip(model.layers, base.layers)):
        # The indices below would not mean what the user reads in inspect_model.py.
        raise errors.InvalidArgumentError(
            f"The surgery model's layers don't start with the base's layers. Received: backbone={backbone!r}"
        )
    return model, head_start


def two_stage_schedule(
    head_start,
    unfreeze_from,
    warmup_epochs,
    epochs,
    warmup_learning_rate=1e-3,
    learning_rate=1e-3,
    block_multipliers=(),
    decay_rate=None,
    weight_decay=None,
):
    """The course's schedule: warm up the head (RMSprop), then fine-tune from `unfreeze_from` (SGD).

    `decay_rate` and `weight_decay` apply to both stages, `block_multipliers` to the second
    (in the first every base layer is frozen).
    """
    validation.check_integer("head_start", head_start, minimum=1)
    validation.check_integer("unfreeze_from", unfreeze_from, minimum=0, maximum=head_start)
    return [
        Stage("warmup", head_start, warmup_epochs, "rmsprop", warmup_learning_rate,
              weight_decay=weight_decay, decay_rate=decay_rate),
        Stage("finetune", unfreeze_from, epochs, "sgd", learning_rate,
              weight_decay=weight_decay, decay_rate=decay_rate, block_multipliers=block_multipliers),
    ]


def resolve_layer_index(model, layer, head_start):
    """The index of `layer` (an index, a digit string, or a layer name) among the base's layers.

    Accepts 0 .. head_start (head_start: no base layer trains). Raises ValueError otherwise.
    """
    if isinstance(layer, str) and layer.isdigit():
        layer = int(layer)
    if isinstance(layer, str):
        names = [model_layer.name for model_layer in model.layers[:head_start]]
        if layer not in names:
            raise errors.InvalidArgumentError(
                f"The base network has no layer named {layer!r} (run inspect_model.py to list them). "
                f"Received: unfreeze_from={layer!r}"
            )
        return names.index(layer)
    validation.check_integer("unfreeze_from", layer, minimum=0, maximum=head_start)
    return int(layer)


def set_trainable_from(model, first_trainable, keep_batch_normalization_frozen=True):
    """Freezes layers before `first_trainable`, unfreezes the rest; returns the trainable indices.

    Recompile the model afterwards: Keras 3 keeps training the variables it compiled with.
    With `keep_batch_normalization_frozen`, BatchNormalization layers stay frozen (Keras then
    runs them in inference mode, with their pre-trained statistics), as Keras' transfer-learning
    guide advises: small fine-tuning batches would otherwise wreck those statistics.

    Returns the sorted indices of the layers that now have trainable weights.
    """
    import keras

    validation.check_integer("first_trainable", first_trainable, minimum=0, maximum=len(model.layers))
    model.trainable = True
    for index, layer in enumerate(model.layers):
        trainable = index >= first_trainable
        if keep_batch_normalization_frozen and isinstance(layer, keras.layers.BatchNormalization):
            trainable = False
        layer.trainable = trainable
    indices = trainable_layer_indices(model)
    wrong = [index for index in indices if index < first_trainable]
    if wrong:
        raise errors.InvalidArgumentError(
            f"Layers {wrong} are still trainable below index {first_trainable}. Received: model={model.name}"
        )
    return indices


def trainable_layer_indices(model):
    """Sorted indices of the model's layers that have trainable weights right now."""
    return [index for index, layer in enumerate(model.layers) if layer.trainable_weights]


def block_name(layer_name):
    """The block a layer belongs to, from its name: "block5_conv1" -> "block5", "conv5_block1_1_conv" -> "conv5"."""
    match = _BLOCK_PATTERN.match(layer_name)
    return match.group(1) if match else layer_name


def block_layer_multipliers(model, head_start, block_multipliers):
    """{layer_name: factor} for the trainable base layers, by block, lower for earlier blocks.

    The base layers that are trainable now (call `set_trainable_from` first) are grouped into
    blocks by name (`block_name`). `block_multipliers` lists factors earliest first; the last
    factor goes to the block just below the head, the one before it to the block below that,
    and so on; blocks further down than the list reaches take its first (lowest) factor. With
    VGG16 unfrozen from 11 and (0.4, 0.6): block4 learns at 0.4x, block5 at 0.6x, the head at
    1x. Layers left out (the head) keep the full rate.
    """
    factors = tuple(block_multipliers)
    if not factors:
        return {}
    layers = [layer for layer in model.layers[:head_start] if layer.trainable_weights]
    blocks = []
    for layer in layers:
        if block_name(layer.name) not in blocks:
            blocks.append(block_name(layer.name))
    offset = len(blocks) - len(factors)
    block_factor = {name: float(factors[max(0, position - offset)]) for position, name in enumerate(blocks)}
    return {layer.name: block_factor[block_name(layer.name)] for layer in layers}


def stage_learning_rate(stage, steps_per_epoch):
    """The stage's learning rate: a float, or ExponentialDecay by `decay_rate` once per epoch."""
    import keras

    if stage.decay_rate is None:
        return stage.learning_rate
    validation.check_integer("steps_per_epoch", steps_per_epoch, minimum=1)
    return keras.optimizers.schedules.ExponentialDecay(
        stage.learning_rate, decay_steps=steps_per_epoch, decay_rate=stage.decay_rate, staircase=False
    )


def make_stage_optimizer(stage, layer_multipliers, steps_per_epoch):
    """A new optimizer for `stage` (call inside `strategy.scope()`)."""
    from pyimagesearch.transfer import layerwiselearningrate

    extra = {}
    if stage.optimizer in ("sgd", "rmsprop"):
        extra["momentum"] = stage.momentum
    if stage.weight_decay:
        extra["weight_decay"] = stage.weight_decay
    return layerwiselearningrate.make_optimizer(
        stage.optimizer, stage_learning_rate(stage, steps_per_epoch), layer_multipliers, **extra
    )


def run_stage(
    model, stage, strategy, train_dataset, validation_dataset, stage_dir, head_start, verbose=2,
    checkpoint_every=None, initial_epoch=0,
):
    """Freezes/unfreezes for `stage`, recompiles, trains, and returns what was trained.

    `stage_dir` receives history.json and training.png (TrainingMonitor) and stage.json. The
    returned record (also in stage.json) lists the trainable layers by index, name and class,
    the learning-rate multipliers and the stage's settings. With `checkpoint_every`, the
    stage also keeps `checkpoints/epoch_N.keras` every that many epochs and, once it
    finished, the model it ended with (`model.keras`), so `continue_stages` can resume it.
    With `initial_epoch` > 0, `model` is that stage's checkpoint (frozen and compiled as it
    was saved, optimizer state included) and training continues from there.
    """
    from pyimagesearch.callbacks.epochcheckpoint import EpochCheckpoint
    from pyimagesearch.callbacks.terminateonnonfinite import TerminateOnNonFinite
    from pyimagesearch.callbacks.trainingmonitor import TrainingMonitor
    from pyimagesearch.io import pipeline
    from pyimagesearch.training import runs

    stage_dir = pathlib.Path(stage_dir)
    if initial_epoch == 0:
        steps_per_epoch = dataset_steps(train_dataset)
        with strategy.scope():
            set_trainable_from(model, stage.first_trainable)
            layer_multipliers = block_layer_multipliers(model, head_start, stage.block_multipliers)
            model.compile(
                optimizer=make_stage_optimizer(stage, layer_multipliers, steps_per_epoch),
                loss="categorical_crossentropy",
                metrics=["accuracy"],
            )
    else:
        layer_multipliers = block_layer_multipliers(model, head_start, stage.block_multipliers)
    indices = trainable_layer_indices(model)
    record = {
        "stage": stage.summary(),
        "trainable_layers": [
            {"index": index, "name": model.layers[index].name, "class": type(model.layers[index]).__name__}
            for index in indices
        ],
        "trainable_indices": indices,
        "layer_multipliers": layer_multipliers,
        "trainable_parameters": int(sum(np.prod(weight.shape) for weight in model.trainable_weights)),
    }
    names = [model.layers[index].name for index in indices]
    print(f"[INFO] stage '{stage.name}': {stage.epochs} epoch(s), {stage.optimizer} lr={stage.learning_rate:g}, "
          f"trainable layers {indices} ({', '.join(names)})")
    stage_dir.mkdir(parents=True, exist_ok=True)
    if stage.epochs > initial_epoch:
        callbacks = [
            TerminateOnNonFinite(),
            TrainingMonitor(stage_dir / runs.HISTORY_PLOT, json_path=stage_dir / runs.HISTORY_FILE, start_at=initial_epoch),
        ]
        if checkpoint_every is not None:
            callbacks.append(EpochCheckpoint(stage_dir / runs.CHECKPOINT_FOLDER, every=checkpoint_every,
                                             start_at=initial_epoch, keep=None))
        # The dataset's shuffle and augmentation follow fit's epoch, so a resumed stage repeats them.
        callbacks += pipeline.epoch_callbacks(train_dataset)
        model.fit(
            train_dataset,
            validation_data=validation_dataset,
            epochs=stage.epochs,
            initial_epoch=initial_epoch,
            callbacks=callbacks,
            shuffle=False,  # the dataset orders its batches itself (keyed on seed and epoch)
            verbose=verbose,
        )
    if checkpoint_every is not None:
        atomic.save_model(model, stage_dir / runs.FINAL_MODEL)
    atomic.write_json_atomic(stage_dir / STAGE_FILE, record)
    return record


def run_stages(
    model, stages, strategy, train_dataset, validation_dataset, run_dir, head_start, verbose=2, checkpoint_every=None
):
    """Runs `stages` in order, each in `run_dir/<stage.name>/`; writes `run_dir/stages.json`."""
    run_dir = pathlib.Path(run_dir)
    records = []
    for stage in stages:
        stage_dir = run_dir / stage.name
        records.append(
            run_stage(model, stage, strategy, train_dataset, validation_dataset, stage_dir, head_start, verbose,
                      checkpoint_every)
        )
        atomic.write_json_atomic(run_dir / STAGES_FILE, records)
    return records


def continue_stages(
    model, stages, strategy, train_dataset, validation_dataset, run_dir, head_start, verbose=2, checkpoint_every=5
):
    """`run_stages` that picks up an interrupted run; returns (records, the trained model).

    A stage that finished before (its stage.json and model.keras exist) is skipped and its
    model carried into the next stage; the stage in progress continues from its newest
    checkpoint with its optimizer state; the rest run as new. `model` is used only where a
    stage starts from scratch, so the model returned may be another object.
    """
    from pyimagesearch.callbacks import epochcheckpoint
    from pyimagesearch.training import runs

    run_dir = pathlib.Path(run_dir)
    records = []
    for stage in stages:
        stage_dir = run_dir / stage.name
        initial_epoch = 0
        if (stage_dir / STAGE_FILE).is_file() and (stage_dir / runs.FINAL_MODEL).is_file():
            print(f"[INFO] stage '{stage.name}' finished before; continuing from {stage_dir / runs.FINAL_MODEL}")
            with strategy.scope():
                model = runs.load_model(stage_dir / runs.FINAL_MODEL)
            records.append(json.loads((stage_dir / STAGE_FILE).read_text(encoding="utf-8")))
            continue
        checkpoint, epoch = epochcheckpoint.latest_checkpoint(stage_dir / runs.CHECKPOINT_FOLDER)
        if checkpoint is not None:
            print(f"[INFO] stage '{stage.name}': resuming from {checkpoint} at epoch {epoch}")
            with strategy.scope():
                model = runs.load_model(checkpoint)
            initial_epoch = epoch
        records.append(
            run_stage(model, stage, strategy, train_dataset, validation_dataset, stage_dir, head_start, verbose,
                      checkpoint_every, initial_epoch)
        )
        atomic.write_json_atomic(run_dir / STAGES_FILE, records)
    return records, model


def dataset_steps(dataset):
    """The number of batches in a finite `tf.data.Dataset` (for per-epoch schedules)."""
    steps = int(dataset.cardinality())
    if steps < 1:
        raise errors.InvalidArgumentError(f"The training dataset must be finite and non-empty. Received: cardinality={steps}")
    return steps


def backbone_batch_transform(backbone, classes, augmentation=None):
    """The tf.data batch transform for `backbone`: augmentation (training only), BGR->RGB, preprocess_input.

    Augmentation runs on the raw pixels, before the network's own preprocessing, like the
    course's ImageDataGenerator did; pass it for the training pipeline only.
    """
    from pyimagesearch.io import pipeline
    from pyimagesearch.nn import applications

    functions = []
    if augmentation is not None:
        functions.append(lambda images: augmentation(images, training=True))
    functions.append(applications.batch_preprocessor(backbone))
    return pipeline.make_batch_transform(classes, scale=1.0, preprocessors=functions)


def fold_folder_name(fold):
    return f"{FOLD_FOLDER_PREFIX}{fold}"


def fold_run_dirs(run_dir):
    """The fold sub-run folders of a cross-validation run, in fold order; [] for a single run."""
    run_dir = pathlib.Path(run_dir)
    folds = [
        path for path in run_dir.glob(f"{FOLD_FOLDER_PREFIX}*")
        if path.is_dir() and path.name[len(FOLD_FOLDER_PREFIX):].isdigit()
    ]
    return sorted(folds, key=lambda path: int(path.name[len(FOLD_FOLDER_PREFIX):]))


def summarize_folds(fold_metrics):
    """Mean and standard deviation of accuracy over folds.

    `fold_metrics` is a list of metrics dicts (as returned by `reports.write_classification_report`).
    The standard deviation is the population one (NumPy's default, ddof=0), as scikit-learn's
    cross-validation examples report it.
    """
    if not fold_metrics:
        raise errors.InvalidArgumentError(f"`fold_metrics` must hold at least one fold. Received: {fold_metrics!r}")
    accuracies = np.asarray([float(metrics["accuracy"]) for metrics in fold_metrics])
    macro_f1 = np.asarray([float(metrics.get("macro_f1", math.nan)) for metrics in fold_metrics])
    return {
        "folds": len(fold_metrics),
        "accuracy": accuracies.tolist(),
        "mean_accuracy": float(accuracies.mean()),
        "std_accuracy": float(accuracies.std()),
        "mean_macro_f1": float(macro_f1.mean()),
        "samples": int(sum(int(metrics.get("samples", 0)) for metrics in fold_metrics)),
    }


def write_cross_validation(run_dir, fold_metrics):
    """Writes `run_dir/cross_validation.json` (see `summarize_folds`) and returns the summary."""
    summary = summarize_folds(fold_metrics)
    atomic.write_json_atomic(pathlib.Path(run_dir) / CROSS_VALIDATION_FILE, summary)
    return summary


def load_images_once(dataset_root, relative_paths, class_names, image_size):
    """Loads every image once for all folds: returns (images, labels, kept_relative_paths).

    Unreadable files are skipped (and counted by the loader), so `kept_relative_paths` may be
    shorter than `relative_paths`; `split_indices` maps a split onto these rows.
    """
    from pyimagesearch.datasets import imagefolder

    root = pathlib.Path(dataset_root)
    everything = {
        "dataset_root": str(root), "class_names": list(class_names), "train": list(relative_paths), "test": [],
    }
    images, labels, skipped = imagefolder.load_split_images(everything, "train", image_size)
    skipped_paths = {os.path.relpath(path, root) for path, _ in skipped}
    kept = [path for path in relative_paths if path not in skipped_paths]
    return images, labels, kept


def split_indices(kept_relative_paths, split, part):
    """Row indices (into `load_images_once`'s arrays) of the readable images of a split's part."""
    if part not in ("train", "test"):
        raise errors.InvalidArgumentError(f"`part` must be 'train' or 'test'. Received: part={part!r}")
    position = {path: index for index, path in enumerate(kept_relative_paths)}
    return np.asarray([position[path] for path in split[part] if path in position], dtype=np.int64)
