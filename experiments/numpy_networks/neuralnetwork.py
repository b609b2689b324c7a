"""The NumPy backpropagation network on XOR (2-2-1) or on scikit-learn's 8x8 digits (64-32-16-10).

    python experiments/numpy_networks/neuralnetwork.py                    # digits, the course's settings
    python experiments/numpy_networks/neuralnetwork.py --recipe softmax   # digits, softmax and mini-batches
    python experiments/numpy_networks/neuralnetwork.py --problem xor
    python experiments/numpy_networks/neuralnetwork.py --seed 3 --epochs 500 --alpha 0.1

digits: the 1,797 digits of `sklearn.datasets.load_digits`, min-max scaled to [0, 1], split
75/25 (stratified, seeded), one-hot targets; `pyimagesearch.nn.neuralnetwork.NeuralNetwork`
trains by gradient descent and the classification report is computed on the held-out
quarter. `--recipe course` (the default) is the course's network: sigmoid outputs, squared
error, per-sample updates in the data's order; `--recipe softmax` has a softmax output with
cross-entropy and shuffled mini-batches of 4; `--recipe softmax-ensemble` averages 10 such
networks trained with weight decay 3e-5 for 200 epochs (config.RECIPES). --alpha, --epochs,
--loss, --batch-size, --shuffle, --weight-decay (L2 penalty), --lr-schedule (constant or
cosine) and --ensemble (networks whose outputs are averaged) override the recipe's values.
xor: the four XOR inputs, which are also the only data to score (there is nothing to hold
out); it prints each input's output and its thresholded prediction.

Every run writes output/numpy_networks/<run-id>/: config.json (arguments, seed, versions),
loss.json (the loss at every displayed epoch), classification_report.txt, metrics.json and
confusion_matrix.png (see pyimagesearch/training/runs.py and reports.py).
"""

import argparse
import math
import pathlib
import sys

import numpy as np
from sklearn import datasets, model_selection, preprocessing

import config
from pyimagesearch.nn import neuralnetwork
from pyimagesearch.training import reports, runs
from pyimagesearch.utils import atomic, cli, errors, validation

LOSS_FILE = "loss.json"


def parse_arguments(argv=None):
    """The run's settings from `argv` (default: the command line), the recipe's values filled in."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problem", choices=config.PROBLEMS, default=config.PROBLEM)
    parser.add_argument("--recipe", choices=sorted(config.RECIPES), default=config.RECIPE,
                        help="digits only: the defaults of the eight flags below (config.RECIPES)")
    parser.add_argument("--epochs", type=int, default=None, help="default: the recipe's (xor 20000)")
    parser.add_argument("--alpha", type=float, default=None, help="learning rate; default: the recipe's")
    parser.add_argument("--loss", choices=neuralnetwork.LOSSES, default=None,
                        help="squared_error (sigmoid outputs) or cross_entropy (softmax outputs)")
    parser.add_argument("--batch-size", type=int, default=None, help="samples per update; default: the recipe's")
    parser.add_argument("--shuffle", action=argparse.BooleanOptionalAction, default=None,
                        help="a new sample order every epoch; default: the recipe's")
    parser.add_argument("--weight-decay", type=float, default=None, help="L2 penalty per sample; default: the recipe's")
    parser.add_argument("--lr-schedule", choices=config.LR_SCHEDULES, default=None,
                        help="constant alpha, or cosine from alpha to 0 over the epochs; default: the recipe's")
    parser.add_argument("--ensemble", type=int, default=None,
                        help="networks trained (seeds seed, seed+1000, ...) whose outputs are averaged; "
                             "default: the recipe's")
    parser.add_argument("--seed", type=int, default=config.SEED, help="seed of the split and the initial weights")
    parser.add_argument("--display-update", type=int, default=config.DISPLAY_UPDATE, help="epochs between loss lines")
    parser.add_argument("--output", default=config.OUTPUT, help="root folder for run folders")
    parser.add_argument("--run-id", default=None, help="name of the run folder (default: a timestamp)")
    arguments = parser.parse_args(argv)
    if arguments.problem == "xor" and arguments.recipe != "course":
        raise errors.InvalidArgumentError(
            "The recipes are the digits' settings; XOR has the course's own (config.XOR). "
            f"Received: --problem xor --recipe {arguments.recipe}"
        )
    settings = config.XOR if arguments.problem == "xor" else config.RECIPES[arguments.recipe]
    arguments.layers = config.XOR["layers"] if arguments.problem == "xor" else config.DIGITS_LAYERS
    for name in config.RECIPE_SETTINGS:
        if getattr(arguments, name) is None:
            setattr(arguments, name, settings[name])
    validation.check_integer("--epochs", arguments.epochs, minimum=1)
    validation.check_integer("--batch-size", arguments.batch_size, minimum=1)
    validation.check_number("--alpha", arguments.alpha, minimum=0, include_minimum=False)
    validation.check_number("--weight-decay", arguments.weight_decay, minimum=0)
    validation.check_integer("--ensemble", arguments.ensemble, minimum=1)
    validation.check_integer("--seed", arguments.seed, minimum=0)
    validation.check_integer("--display-update", arguments.display_update, minimum=0)
    return arguments


def load_problem(problem, seed):
    """Returns (train features, train targets, test features, test labels, label names)."""
    if problem == "xor":
        inputs = np.array(config.BITWISE_INPUTS, dtype=float)
        labels = np.array(config.BITWISE_TARGETS["xor"])
        return inputs, labels.reshape(-1, 1), inputs, labels, ["0", "1"]
    digits = datasets.load_digits()
    # The course's min-max scaling over the whole array: pixel values 0..16 become 0..1.
    features = digits.data.astype(float)
    features = (features - features.min()) / (features.max() - features.min())
    train_features, test_features, train_labels, test_labels = model_selection.train_test_split(
        features, digits.target, test_size=config.TEST_SIZE, stratify=digits.target, random_state=seed
    )
    train_targets = preprocessing.LabelBinarizer().fit_transform(train_labels)
    return train_features, train_targets, test_features, test_labels, [str(name) for name in digits.target_names]


def new_run_folder(arguments):
    """A new run folder; an existing --run-id is refused, since these runs don't resume."""
    if arguments.run_id is not None and (pathlib.Path(arguments.output) / config.EXPERIMENT / arguments.run_id).exists():
        raise errors.InvalidArgumentError(
            f"{pathlib.Path(arguments.output) / config.EXPERIMENT / arguments.run_id} exists already; choose "
            f"another --run-id. Received: --run-id {arguments.run_id}"
        )
    return runs.create_run_folder(config.EXPERIMENT, arguments.output, arguments.run_id)


def member_seeds(seed, ensemble):
    """The ensemble members' seeds: the first is --seed itself, so an ensemble of 1 is the plain run."""
    return [seed + config.ENSEMBLE_SEED_STRIDE * member for member in range(ensemble)]


def train_network(arguments, seed, features, targets):
    """A network trained with the run's settings; returns (network, [(epoch, loss), ...])."""
    network = neuralnetwork.NeuralNetwork(arguments.layers, alpha=arguments.alpha, seed=seed, loss=arguments.loss,
                                          weight_decay=arguments.weight_decay)
    fit_arguments = {"batch_size": arguments.batch_size, "shuffle": arguments.shuffle}
    if arguments.lr_schedule == "constant":
        history = network.fit(features, targets, epochs=arguments.epochs, display_update=arguments.display_update,
                              **fit_arguments)
        return network, history
    # Cosine: one epoch at a time, each at its own alpha, from the full alpha down towards 0.
    history = []
    for epoch in range(1, arguments.epochs + 1):
        network.alpha = arguments.alpha * 0.5 * (1 + math.cos(math.pi * (epoch - 1) / arguments.epochs))
        network.fit(features, targets, epochs=1, display_update=0, **fit_arguments)
        if arguments.display_update and (epoch == 1 or epoch % arguments.display_update == 0):
            loss = network.calculate_loss(features, targets)
            history.append((epoch, loss))
            print(f"[INFO] epoch={epoch}, alpha={network.alpha:.4f}, loss={loss:.7f}")
    return network, history


def predicted_labels(outputs):
    """Class indices: the thresholded single output for XOR, the largest output otherwise."""
    return (outputs[:, 0] > 0.5).astype(int) if outputs.shape[1] == 1 else outputs.argmax(axis=1)


def main(argv=None):
    arguments = parse_arguments(argv)
    train_features, train_targets, test_features, test_labels, label_names = load_problem(
        arguments.problem, arguments.seed
    )
    run_dir = new_run_folder(arguments)
    runs.write_run_config(run_dir, vars(arguments), seed=arguments.seed)
    print(f"[INFO] run folder: {run_dir}")
    losses, outputs = [], []
    for seed in member_seeds(arguments.seed, arguments.ensemble):
        print(f"[INFO] training NeuralNetwork: {'-'.join(map(str, arguments.layers))} (seed {seed}) on "
              f"{arguments.problem} ({len(train_features)} samples), loss {arguments.loss}, alpha {arguments.alpha:g}"
              f"{' (cosine schedule)' if arguments.lr_schedule == 'cosine' else ''}, batch {arguments.batch_size}"
              f"{', shuffled' if arguments.shuffle else ''}"
              f"{f', weight decay {arguments.weight_decay:g}' if arguments.weight_decay else ''}, "
              f"{arguments.epochs} epochs...")
        network, history = train_network(arguments, seed, train_features, train_targets)
        losses.extend({"seed": seed, "epoch": epoch, "loss": loss} for epoch, loss in history)
        outputs.append(network.predict(test_features))
    atomic.write_json_atomic(run_dir / LOSS_FILE, losses)
    # An ensemble's prediction is the class with the highest mean output over its networks.
    outputs = np.mean(outputs, axis=0)
    predictions = predicted_labels(outputs)
    if arguments.ensemble > 1:
        print(f"[INFO] predictions: the mean output of an ensemble of {arguments.ensemble} networks")
    if arguments.problem == "xor":
        for sample, target, output, prediction in zip(test_features, test_labels, outputs, predictions):
            print(f"[INFO] data={sample.astype(int).tolist()}, ground-truth={target}, "
                  f"output={output[0]:.4f}, pred={prediction}")
    scored_on = "the four training inputs" if arguments.problem == "xor" else "the held-out 25%"
    metrics = reports.write_classification_report(
        run_dir, test_labels, predictions, label_names, extra_metrics={"scored_on": scored_on}
    )
    reports.print_report(run_dir, metrics, what=f"accuracy on {scored_on}")


if __name__ == "__main__":
    sys.exit(cli.run(main))
