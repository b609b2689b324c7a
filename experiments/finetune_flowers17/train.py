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
evaluate.py rebuilds the report from the run folder alone. `--resume RUN` continues an
interrupted run: finished folds and stages are kept, the stage in progress continues from its
newest checkpoint (every --checkpoint-every epochs). The work is done by
pyimagesearch.transfer.finetunerun.
"""

import argparse
import sys

import config
from pyimagesearch.training import flags
from pyimagesearch.transfer import finetunerun
from pyimagesearch.utils import cli


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
    flags.add_run_arguments(
        parser,
        **flags.config_defaults(config),
        epochs_help="epochs of stage 2 (fine-tuning)",
        learning_rate_help="stage 2 (the head's rate)",
    )
    parser.add_argument("--backbone", default=config.BACKBONE, help="keras.applications name: vgg16, resnet50, ...")
    parser.add_argument("--weights", default=config.WEIGHTS, help="imagenet | none | PATH (a file without the top)")
    parser.add_argument("--image-size", type=int, default=config.IMAGE_SIZE, help="square input (default: backbone's)")
    parser.add_argument("--unfreeze-from", default=config.UNFREEZE_FROM,
                        help="layer index or name from which stage 2 trains the base")
    parser.add_argument("--warmup-epochs", type=int, default=config.WARMUP_EPOCHS)
    parser.add_argument("--warmup-learning-rate", type=float, default=config.WARMUP_LEARNING_RATE)
    parser.add_argument("--layer-lr-multipliers", type=multiplier_list, default=config.LAYER_LR_MULTIPLIERS,
                        help="stage 2 rate factors for the unfrozen base blocks, earliest first, e.g. 0.4,0.6")
    parser.add_argument("--lr-decay-rate", type=float, default=config.LR_DECAY_RATE,
                        help="multiply the learning rate by this every epoch")
    parser.add_argument("--weight-decay", type=float, default=config.WEIGHT_DECAY)
    parser.add_argument("--dense", type=int, default=config.DENSE, help="units in the head's hidden layer")
    parser.add_argument("--folds", type=int, default=config.FOLDS,
                        help="stratified k-fold cross-validation (1: one 75/25 split)")
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=config.AUGMENT)
    arguments = parser.parse_args(argv)
    # Stage 2 may have 0 epochs here, so finetunerun checks the flags itself.
    arguments.given_flags = sorted(flags.given_flags(parser, argv))
    return arguments


def main(argv=None):
    finetunerun.main(parse_arguments(argv), config.EXPERIMENT, config.TEST_SIZE)


if __name__ == "__main__":
    # Bad flags, missing data or weights: one clear line ("error: ...") and exit code 2.
    sys.exit(cli.run(main))
