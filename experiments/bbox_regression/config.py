"""Bounding-box regression: the settings. Command-line flags override these.

PyImageSearch's tutorial trains a head on a frozen, ImageNet-pretrained VGG16 at 224x224
(`--backbone vgg16 --weights imagenet`), Adam at 1e-4, batch 32, 25 epochs, 10% held out.
ImageNet weights can't be downloaded on an offline machine, and VGG16 at 224x224 is slow
on a CPU, so the default here is MiniVGGNet's convolutional part trained from scratch at
48x48, which needs no download (measured in README.md).
"""

EXPERIMENT = "bbox_regression"

# "synthetic-boxes" (3,000 generated images), "synthetic-boxes-<images>", an annotation CSV
# (filename,start_x,start_y,end_x,end_y) or a folder holding annotations.csv.
DATASET = "synthetic-boxes"
BACKBONE = "minivggnet"  # or "vgg16"
# Square input side per backbone when --image-size is not given.
IMAGE_SIZES = {"minivggnet": 48, "vgg16": 224}
# Per backbone when --weights is not given: the tutorial's ImageNet VGG16; MiniVGGNet has none.
WEIGHTS = {"minivggnet": "none", "vgg16": "imagenet"}
TEST_SIZE = 0.2

EPOCHS = 25
BATCH_SIZE = 32  # per replica; the global batch is this times the number of replicas
LEARNING_RATE = 1e-3  # Adam; the tutorial's 1e-4 is for its frozen, pre-trained VGG16 head
CHECKPOINT_EVERY = 5

SEED = 42
OUTPUT = "output"
