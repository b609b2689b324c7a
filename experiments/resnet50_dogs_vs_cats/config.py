"""ResNet50 features + logistic regression on Dogs vs. Cats (the course's settings).

Command-line flags override these. Paths are relative to the working directory: run the
scripts from the repository root.
"""

EXPERIMENT = "resnet50_dogs_vs_cats"

# extract_features.py: the catalog name, Kaggle's flat train/ folder (cat.0.jpg ...), a folder
# of class subfolders, or an image HDF5 file (e.g. datasets/dogs-vs-cats-hdf5/train.hdf5 from
# experiments/alexnet_dogs_vs_cats/build_dataset.py).
DATASET = "dogs-vs-cats"
FEATURES_PATH = "datasets/features/dogs_vs_cats_resnet50.hdf5"
BACKBONE = "resnet50"  # ImageNet weights, without the classifier
POOLING = "avg"  # 7 x 7 x 2048 averaged to 2,048 values, as the course's ResNet50 gave
BATCH_SIZE = 16  # the course's
BUFFER_SIZE = 1000
SHUFFLE = True  # rows shuffled once, so the contiguous 75/25 split below is a random split
SEED = 42

# train_model.py: the course's index split and grid for this case study.
TRAIN_FRACTION = 0.75
C_VALUES = (0.0001, 0.001, 0.01, 0.1, 1.0)
FOLDS = 3
MAX_ITER = 1000
OUTPUT = "output"
