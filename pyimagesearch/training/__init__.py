"""A training run's life: its folder and config.json, fitting and resuming, reports.

    from pyimagesearch.training import fitting, flags, heldout, reports, runs

Modules:
- `flags`: the flags every train script shares (`add_run_arguments`);
- `runs`: run folders `output/<experiment>/<run-id>/`, config.json, opening a run to resume
  or to evaluate;
- `fitting`: build or resume the model inside the strategy, the run's callbacks, fit and save;
- `reports`: predictions, the classification report, metrics.json and the confusion matrix;
- `heldout`: a run's held-out data, rebuilt the same way by train and evaluate scripts;
- `runmean`: the per-channel mean a run subtracts, kept in its folder as mean.json;
- `cifar10run`: a CIFAR-10 run minus the training mean, the steps minigooglenet_cifar10 and
  resnet_cifar10 share (train, evaluate);
- `tinyimagenetrun`: a Tiny ImageNet run from the three HDF5 files, the steps
  deepergooglenet_tiny_imagenet and resnet_tiny_imagenet share (train, evaluate);
- `resnetflags`: `--stages` and `--filters`, the ResNet experiments' architecture flags;
- `checks`: the pre-flight checks `--overfit N` and `--preview-augmentation`;
- `learningratefinder`: the learning-rate range test behind `--find-lr`.
"""
