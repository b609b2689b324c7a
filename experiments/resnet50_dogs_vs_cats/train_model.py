"""Logistic regression on the Dogs vs. Cats ResNet50 features: 75/25 index split, C by grid search.

    python experiments/resnet50_dogs_vs_cats/train_model.py
    python experiments/resnet50_dogs_vs_cats/train_model.py --features path/to/features.hdf5 --jobs -1

The first 75% of the (shuffled) rows train and the rest test; C is chosen by 3-fold
cross-validation over the course's grid for this case study (config.py). The run folder
output/resnet50_dogs_vs_cats/<run-id>/ gets config.json, classifier.skops,
classification_report.txt, metrics.json and confusion_matrix.png.
"""

import sys

import config
from pyimagesearch.cli import train_classifier

if __name__ == "__main__":
    sys.exit(train_classifier.experiment_main(config, description=__doc__))
