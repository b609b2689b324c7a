"""LeNet on MNIST (the course's settings), and on scikit-learn's digits. Command-line flags override these."""

import cv2

EXPERIMENT = "lenet_mnist"

# "mnist" (the catalog name, or a path the MNIST loader accepts) or "digits" (scikit-learn's
# bundled 8x8 digits, resized in memory; no download).
DATASET = "mnist"
DIGITS = "digits"
IMAGE_SIZE = 28  # LeNet's input, 28x28x1 as MNIST
CLASSES = 10

# digits: the course's 75/25 split, stratified and seeded. MNIST uses its official 60k/10k split.
TEST_SIZE = 0.25
# 8x8 -> 28x28: bilinear gives smooth strokes, closer to MNIST's anti-aliased digits than
# INTER_AREA's blocks (both were measured; see README.md).
DIGITS_INTERPOLATION = cv2.INTER_LINEAR

# A recipe is a set of defaults for the flags below; an explicit flag overrides its value.
RECIPES = {
    # The course: plain SGD at 0.01, batch 128, 20 epochs, no augmentation.
    "course": {
        "epochs": 20, "batch_size": 128, "learning_rate": 0.01, "momentum": 0.0,
        "lr_schedule": "constant", "augment": False,
    },
    # Reaches >= 0.99 on the digits' 75/25 split for each of three seeds (README.md).
    "digits": {
        "epochs": 60, "batch_size": 32, "learning_rate": 0.01, "momentum": 0.9,
        "lr_schedule": "cosine", "augment": True,
    },
}
RECIPE = "course"
LR_SCHEDULES = ("constant", "cosine")

# --augment: small shifts, rotations and zooms, no flip (a mirrored 2 is no digit) and a black
# fill (the background), applied in tf.data to training batches only.
AUGMENTATION = {
    "rotation": 10, "width_shift": 0.1, "height_shift": 0.1, "shear": 0.0, "zoom": 0.1,
    "horizontal_flip": False, "fill_mode": "constant",
}

CHECKPOINT_EVERY = 5
SEED = 42
OUTPUT = "output"
