"""ResNet on Tiny ImageNet 200 from HDF5 files, with polynomial decay: the course's settings. Flags override these.

The HDF5 folder is the one the DeeperGoogLeNet experiment builds
(experiments/deepergooglenet_tiny_imagenet/build_dataset.py). Paths are relative to the working
directory: run the scripts from the repository root.
"""

EXPERIMENT = "resnet_tiny_imagenet"

HDF5_DIR = "datasets/tiny-imagenet-200-hdf5"  # train.hdf5, val.hdf5, test.hdf5

STAGES = (3, 4, 6)  # residual modules per stage
FILTERS = (64, 128, 256, 512)  # the stem's, then each stage's output channels
L2 = 5e-4
EPOCHS = 75  # the polynomial decay reaches 0 at the last epoch
BATCH_SIZE = 64  # per replica; the global batch is this times the number of replicas
LEARNING_RATE = 0.1  # SGD, the decay's starting rate
MOMENTUM = 0.9
POWER = 1.0  # linear decay
CHECKPOINT_EVERY = 5

SEED = 42
OUTPUT = "output"
