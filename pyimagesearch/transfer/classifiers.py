"""Logistic regression on extracted features, the course's transfer-learning classifier.

    result = train_from_features("datasets/features/flowers17_vgg16.hdf5", run_dir)
    classifier = load_classifier(run_dir / "classifier.skops")

The course's recipe, kept: the features file's rows were shuffled once when it was written,
so the first 75% of the rows train and the rest test (`index_split`); `C` is chosen by a
3-fold grid search on the training rows; the classifier is refit on all of them.

What we do differently: the classifier is saved with skops (`skops.io.dump`) instead of
pickle, and loaded only when every type in the file is one we list (`TRUSTED_TYPES`), so a
tampered file can't run code. The report (classification report, metrics.json with rank-1
and rank-5, confusion matrix) goes into a run folder via `utils.reports`.
"""

import pathlib
import time
import warnings

import numpy as np

from pyimagesearch.utils import atomic, errors, ranked, validation
from pyimagesearch.training import reports

# The course's grid for Flowers-17 / CALTECH-101 features; Dogs vs. Cats used smaller values.
DEFAULT_C_VALUES = (0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0)
DEFAULT_TRAIN_FRACTION = 0.75
DEFAULT_FOLDS = 3
DEFAULT_MAX_ITER = 1000
CLASSIFIER_NAME = "classifier.skops"
# Every type a saved LogisticRegression holds that skops does not trust on its own.
TRUSTED_TYPES = ("sklearn.linear_model._logistic.LogisticRegression",)


def index_split(rows, train_fraction=DEFAULT_TRAIN_FRACTION):
    """The course's split point: rows [0, i) train and [i, rows) test, i = int(rows * fraction)."""
    validation.check_integer("rows", rows, minimum=2)
    validation.check_number(
        "train_fraction", train_fraction, minimum=0, maximum=1, include_minimum=False, include_maximum=False
    )
    index = int(rows * train_fraction)
    if index == 0 or index == rows:
        raise errors.InvalidArgumentError(
            f"{rows} rows split at {train_fraction} leave no training or no test rows. Received: rows={rows}"
        )
    return index


def fit_logistic_regression(
    features,
    labels,
    c_values=DEFAULT_C_VALUES,
    folds=DEFAULT_FOLDS,
    jobs=1,
    max_iter=DEFAULT_MAX_ITER,
    seed=42,
    verbose=0,
):
    """Grid-searches `C` with stratified k-fold cross-validation; returns the fitted GridSearchCV.

    `best_estimator_` is the LogisticRegression refit on all of `features` with the best C;
    `best_params_` and `best_score_` say which C and its mean cross-validated accuracy.
    """
    from sklearn import linear_model, model_selection

    features, labels = _check_training_data(features, labels, folds)
    c_values = _check_c_values(c_values)
    if validation.check_integer("jobs", jobs) == 0:
        raise errors.InvalidArgumentError(f"`jobs` must be a non-zero integer (-1: all CPUs). Received: jobs={jobs!r}")
    max_iter = validation.check_positive_integer("max_iter", max_iter)
    estimator = linear_model.LogisticRegression(max_iter=max_iter, random_state=seed)
    search = model_selection.GridSearchCV(
        estimator,
        {"C": list(c_values)},
        cv=model_selection.StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed),
        n_jobs=int(jobs),
        verbose=verbose,
    )
    with warnings.catch_warnings():
        # lbfgs may stop at max_iter on a weak C; the grid search picks among the fits anyway.
        from sklearn.exceptions import ConvergenceWarning

        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(features, labels)
    return search


def class_probabilities(classifier, features, classes):
    """(N, classes) probabilities with a column for every class index 0..classes-1.

    A class missing from the training rows gets probability 0, so columns always match label
    indices (scikit-learn only has columns for the classes it saw).
    """
    probabilities = classifier.predict_proba(features)
    full = np.zeros((len(features), classes), dtype=np.float64)
    known = np.asarray(classifier.classes_, dtype=np.int64)
    if known.min() < 0 or known.max() >= classes:
        raise errors.InvalidArgumentError(
            f"The classifier knows classes {known.tolist()}, outside 0..{classes - 1}. Received: classes={classes}"
        )
    full[:, known] = probabilities
    return full


def save_classifier(classifier, path):
    """Saves a fitted classifier with skops, atomically; returns the path."""
    import skops.io

    path = pathlib.Path(path)
    with atomic.atomic_output_path(path) as temporary_path:
        skops.io.dump(classifier, temporary_path)
    return path


def load_classifier(path, trusted=TRUSTED_TYPES):
    """Loads a classifier saved by `save_classifier`, trusting only the types in `trusted`.

    Raises ValueError naming the file and the types it holds beyond `trusted`, without
    loading them.
    """
    import skops.io

    path = pathlib.Path(path)
    if not path.is_file():
        raise errors.InvalidArgumentError(f"No classifier file at {path}. Received: path={str(path)!r}")
    untrusted = sorted(set(skops.io.get_untrusted_types(file=path)) - set(trusted))
    if untrusted:
        raise errors.InvalidArgumentError(
            f"{path} holds types that are not trusted, so it was not loaded: {untrusted}. "
            f"Received: trusted={list(trusted)}"
        )
    return skops.io.load(path, trusted=list(trusted))


def evaluate_classifier(classifier, features, labels, label_names, run_dir, extra_metrics=None):
    """Writes the classification report, metrics.json (with rank-1 and rank-5) and the
    confusion matrix into `run_dir`; returns the metrics dict."""
    probabilities = class_probabilities(classifier, features, len(label_names))
    rank1, rank5 = ranked.rank5_accuracy(probabilities, labels)
    metrics = {"rank1": rank1, "rank5": rank5}
    metrics.update(extra_metrics or {})
    return reports.write_classification_report(
        run_dir, labels, probabilities.argmax(axis=1), label_names, extra_metrics=metrics
    )


def train_from_features(
    features_path,
    run_dir,
    c_values=DEFAULT_C_VALUES,
    train_fraction=DEFAULT_TRAIN_FRACTION,
    folds=DEFAULT_FOLDS,
    jobs=1,
    max_iter=DEFAULT_MAX_ITER,
    seed=42,
    verbose=True,
):
    """The course's train_model.py: split a features file by index, grid-search, report, save.

    Rows [0, i) train and [i, N) test (i = int(N * train_fraction)). Writes into `run_dir`
    the classifier (`classifier.skops`), `classification_report.txt`, `metrics.json` (accuracy,
    rank1, rank5, best_C, cv_accuracy, rows, missing_test_classes) and `confusion_matrix.png`.
    Returns the metrics.

    A class with no test row (a file extracted with --no-shuffle is in class order, so its
    last rows hold the last classes only) is named in a `[WARN]` line and in
    `missing_test_classes`: the scores then say nothing about it.
    """
    from pyimagesearch.transfer import features as features_module

    run_dir = pathlib.Path(run_dir)
    data, labels, label_names = features_module.load_features(features_path)
    if label_names is None:
        label_names = [str(label) for label in range(int(labels.max()) + 1)]
    split = index_split(len(labels), train_fraction)
    missing = missing_classes(labels[split:], label_names)
    if missing:
        # Printed whatever `verbose` says: the scores that follow are misleading without it.
        print(f"[WARN] the test rows ({len(labels) - split} of {len(labels)}, the last ones) hold no row of "
              f"{len(missing)} of {len(label_names)} classes: {', '.join(missing[:10])}"
              f"{', ...' if len(missing) > 10 else ''}. Are the rows in class order? Extract the features with "
              f"--shuffle (the default) so the index split is random.")
    if verbose:
        print(f"[INFO] {len(labels)} rows of {data.shape[1]}-d features: {split} train, {len(labels) - split} test")
        print(f"[INFO] tuning C over {list(c_values)} with {folds}-fold cross-validation...")
    started = time.perf_counter()
    search = fit_logistic_regression(
        data[:split], labels[:split], c_values=c_values, folds=folds, jobs=jobs, max_iter=max_iter, seed=seed
    )
    seconds = time.perf_counter() - started
    classifier = search.best_estimator_
    if verbose:
        print(f"[INFO] best C: {search.best_params_['C']} (cross-validated accuracy {search.best_score_:.4f}, "
              f"{seconds:.1f} s)")
    save_classifier(classifier, run_dir / CLASSIFIER_NAME)
    metrics = evaluate_classifier(
        classifier,
        data[split:],
        labels[split:],
        label_names,
        run_dir,
        extra_metrics={
            "best_C": float(search.best_params_["C"]),
            "cv_accuracy": float(search.best_score_),
            "train_rows": int(split),
            "test_rows": int(len(labels) - split),
            "missing_test_classes": missing,
            "search_seconds": seconds,
        },
    )
    if verbose:
        print((run_dir / reports.REPORT_NAME).read_text(encoding="utf-8"))
        print(f"[INFO] rank-1: {metrics['rank1']:.4f}  rank-5: {metrics['rank5']:.4f}  (run folder: {run_dir})")
    return metrics


def missing_classes(labels, label_names):
    """The names of the classes (indices into `label_names`) that have no row in `labels`."""
    present = set(np.asarray(labels).tolist())
    return [str(name) for index, name in enumerate(label_names) if index not in present]


def held_out_rows(features_path, train_fraction=DEFAULT_TRAIN_FRACTION):
    """The test part of a features file under the course's index split: (features, labels, names)."""
    from pyimagesearch.transfer import features as features_module

    data, labels, label_names = features_module.load_features(features_path)
    split = index_split(len(labels), train_fraction)
    if label_names is None:
        label_names = [str(label) for label in range(int(labels.max()) + 1)]
    return data[split:], labels[split:], label_names


def _check_training_data(features, labels, folds):
    features = np.asarray(features)
    labels = np.asarray(labels)
    if features.ndim != 2 or len(features) != len(labels) or len(features) == 0:
        raise errors.InvalidArgumentError(
            "`features` must be (N, D) with one label per row. "
            f"Received: features.shape={features.shape}, labels.shape={labels.shape}"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise errors.InvalidArgumentError(f"`labels` must be integer class indices. Received: labels.dtype={labels.dtype}")
    validation.check_integer("folds", folds, minimum=2)
    classes, counts = np.unique(labels, return_counts=True)
    if len(classes) < 2:
        raise errors.InvalidArgumentError(f"Logistic regression needs at least 2 classes. Received: classes={classes.tolist()}")
    if counts.min() < folds:
        raise errors.InvalidArgumentError(
            f"Every class needs at least {folds} training rows for {folds}-fold cross-validation. "
            f"Received: rows per class={dict(zip(classes.tolist(), counts.tolist()))}"
        )
    return features, labels


def _check_c_values(c_values):
    try:
        values = list(c_values)
    except TypeError:
        values = []
    # is_positive_number refuses True, which float() would have turned into C=1.0.
    if not values or not all(validation.is_positive_number(value) for value in values):
        raise errors.InvalidArgumentError(f"`c_values` must be positive numbers. Received: c_values={c_values!r}")
    return [float(value) for value in values]


def rank_accuracy_of_run(run_dir, features_path=None):
    """Rank-1 and rank-5 accuracy of a run's classifier on its held-out rows.

    The features file and the split fraction come from the run's config.json (as written by
    `run`), unless `features_path` is given. Returns a dict: rank1, rank5, samples,
    features_path, classifier_path.
    """
    from pyimagesearch.training import runs

    run_dir = pathlib.Path(run_dir)
    saved = runs.read_run_config(run_dir)["arguments"]
    features_path = pathlib.Path(features_path or saved["features"])
    classifier_path = run_dir / CLASSIFIER_NAME
    classifier = load_classifier(classifier_path)
    data, labels, label_names = held_out_rows(features_path, saved.get("train_fraction", DEFAULT_TRAIN_FRACTION))
    probabilities = class_probabilities(classifier, data, len(label_names))
    rank1, rank5 = ranked.rank5_accuracy(probabilities, labels)
    return {
        "rank1": rank1,
        "rank5": rank5,
        "samples": int(len(labels)),
        "features_path": str(features_path),
        "classifier_path": str(classifier_path),
    }


def train_run(arguments, experiment):
    """train_model.py's work: a run folder under `arguments.output/experiment`, then
    `train_from_features` into it.

    `arguments` holds features, c_values, train_fraction, folds, jobs, max_iter, seed, output
    and run_id (see `pyimagesearch.cli.train_classifier`). Bad input raises a user error
    before a run folder is made; a failure during training removes the new folder (unless
    it was named with `run_id`).
    """
    import shutil

    from pyimagesearch.io import hdf5format
    from pyimagesearch.training import runs

    # Checked before a run folder is made, so a typo leaves nothing behind.
    hdf5format.read_dataset_info(arguments.features, "features")
    _check_c_values(arguments.c_values)
    index_split(2, arguments.train_fraction)
    run_dir = runs.create_run_folder(experiment, arguments.output, arguments.run_id)
    runs.write_run_config(run_dir, arguments, seed=arguments.seed, extra={"features": str(arguments.features)})
    print(f"[INFO] run folder: {run_dir}")
    try:
        return train_from_features(
            arguments.features,
            run_dir,
            c_values=arguments.c_values,
            train_fraction=arguments.train_fraction,
            folds=arguments.folds,
            jobs=arguments.jobs,
            max_iter=arguments.max_iter,
            seed=arguments.seed,
        )
    except BaseException:
        if arguments.run_id is None:
            shutil.rmtree(run_dir, ignore_errors=True)
        raise
