"""AlexNet on Dogs vs. Cats from HDF5 files: the course's settings. Command-line flags override these.

Paths are relative to the working directory: run the scripts from the repository root.
"""

EXPERIMENT = "alexnet_dogs_vs_cats"

# build_dataset.py: a catalog name, Kaggle's flat train/ folder (cat.0.jpg ...) or class folders.
DATASET = "dogs-vs-cats"
HDF5_DIR = "datasets/dogs-vs-cats-hdf5"  # train.hdf5, val.hdf5, test.hdf5, dogs_vs_cats_mean.json
DATASET_NAME = "dogs_vs_cats"  # gives the course's dogs_vs_cats_mean.json
IMAGE_SIZE = 256  # stored size (aspect-aware resize: scale, then centre-crop)
NUM_VAL_IMAGES = 2500  # the course: 1,250 per class
NUM_TEST_IMAGES = 2500

# train.py
CROP_SIZE = 227  # AlexNet's input: random 227x227 patches for training
EPOCHS = 75
BATCH_SIZE = 128  # per replica; the global batch is this times the number of replicas
LEARNING_RATE = 1e-3  # Adam
L2 = 0.0002
# The course's ImageDataGenerator(rotation_range=20, zoom_range=0.15, width_shift_range=0.2,
# height_shift_range=0.2, shear_range=0.15, horizontal_flip=True, fill_mode="nearest").
AUGMENTATION = {
    "rotation": 20,
    "zoom": 0.15,
    "width_shift": 0.2,
    "height_shift": 0.2,
    "shear": 0.15,
    "horizontal_flip": True,
    "fill_mode": "nearest",
}
CHECKPOINT_EVERY = 5

SEED = 42
OUTPUT = "output"
