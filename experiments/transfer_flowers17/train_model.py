"""Logistic regression on the Flowers-17 features: the course's 75/25 index split, C by grid search.

    python experiments/transfer_flowers17/train_model.py
    python experiments/transfer_flowers17/train_model.py --features datasets/features/synthetic_flowers17_vgg16.hdf5

The features file's rows were shuffled once when it was written, so the first 75% of the rows
train and the rest test. C is chosen by 3-fold cross-validation on the training rows over the
course's grid (config.py). The run folder output/transfer_flowers17/<run-id>/ gets config.json,
classifier.skops, classification_report.txt, metrics.json (accuracy, rank1, rank5, best_C) and
confusion_matrix.png. `--jobs -1` fits the grid on every CPU.
"""

import sys

import config
from pyimagesearch.cli import train_classifier

if __name__ == "__main__":
    sys.exit(train_classifier.experiment_main(config, description=__doc__))
