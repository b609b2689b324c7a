"""Transfer learning: feature extraction, classifiers on features, fine-tuning.

Modules:
- `features`: a pre-trained backbone turns images into vectors, streamed into HDF5;
- `classifiers`: grid-searched logistic regression on a features file, saved with skops;
- `finetuning`: network surgery, staged unfreezing, k-fold runs;
- `layerwiselearningrate`: optimizers whose learning rate is scaled per layer.
"""
