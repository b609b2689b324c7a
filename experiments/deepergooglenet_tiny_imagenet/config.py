"""DeeperGoogLeNet on Tiny ImageNet 200 from HDF5 files: the course's settings. Command-line flags override these.

Paths are relative to the working directory: run the scripts from the repository root.
"""

EXPERIMENT = "deepergooglenet_tiny_imagenet"

# build_dataset.py: a catalog name (tiny-imagenet-200, synthetic-tiny-imagenet) or a folder
# with Tiny ImageNet's layout; the HDF5 folder defaults to datasets/<name>-hdf5.
DATASET = "tiny-imagenet-200"
HDF5_DIR_FORMAT = "datasets/{name}-hdf5"
VAL_PER_CLASS = 50  # held out of the training folder: 50 of each class's 500

# train.py: --dataset is the HDF5 folder.
HDF5_DIR = HDF5_DIR_FORMAT.format(name=DATASET)
EPOCHS = 40  # the course: 1e-3 to epoch 25, 1e-4 to 35, 1e-5 to 40 (restarts by hand)
BATCH_SIZE = 64  # per replica; the global batch is this times the number of replicas
LEARNING_RATE = 1e-3  # Adam
L2 = 5e-4
CHECKPOINT_EVERY = 5

SEED = 42
OUTPUT = "output"
