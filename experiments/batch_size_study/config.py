"""The batch-size study's settings (arXiv 1711.00489, as one reader reproduced it). Flags override these."""

EXPERIMENT = "batch_size_study"

# cifar10 or synthetic-cifar10 (pyimagesearch.datasets.cifar10), or digits (scikit-learn's
# 1,797 8x8 digits, resized to 32x32 and repeated into 3 channels).
DATASET = "digits"
DATASETS = ("cifar10", "synthetic-cifar10", "digits")
DIGITS_IMAGE_SIZE = 32
DIGITS_TEST_SIZE = 0.25

EPOCHS = 30
BATCH_SIZE = 128  # per replica at epoch 0, in both setups
LEARNING_RATE = 0.1  # plain SGD, no momentum, at epoch 0, in both setups
# lrd: the learning rate is multiplied by this after every epoch, the batch stays fixed.
DECAY = 0.9
# ibs: the batch is multiplied by this after every epoch, the learning rate stays fixed ...
GROWTH = 1.037
# ... up to this fraction of the training images (rounded down).
MAXIMUM_BATCH_FRACTION = 0.1

# The capacity check: train on this many training images until the network classifies all of
# them correctly (batch and learning rate of epoch 0, fixed), for at most this many epochs.
CAPACITY_IMAGES = 1000
CAPACITY_EPOCHS = 100

EVALUATION_BATCH_SIZE = 256  # per replica; does not change the results, only the speed
CHECKPOINT_EVERY = 10
SEED = 42
OUTPUT = "output"
