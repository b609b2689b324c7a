"""The NumPy perceptron on AND, OR and XOR: it learns the first two and cannot learn XOR.

    python experiments/numpy_networks/perceptron.py
    python experiments/numpy_networks/perceptron.py --epochs 100 --seed 3

For each truth table it trains a fresh `pyimagesearch.nn.perceptron.Perceptron`, prints the
prediction for every input and the accuracy on the four inputs. AND and OR are linearly
separable, so the perceptron rule converges to 1.0; XOR is not (no line separates (0,1) and
(1,0) from (0,0) and (1,1)), so at least one input stays wrong however long it trains.
"""

import argparse
import sys

import numpy as np

import config
from pyimagesearch.nn.perceptron import Perceptron
from pyimagesearch.utils import cli, validation


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=config.PERCEPTRON_EPOCHS)
    parser.add_argument("--alpha", type=float, default=config.PERCEPTRON_ALPHA, help="learning rate")
    parser.add_argument("--seed", type=int, default=config.SEED, help="seed of the initial weights")
    arguments = parser.parse_args()
    validation.check_integer("--epochs", arguments.epochs, minimum=1)
    validation.check_number("--alpha", arguments.alpha, minimum=0, include_minimum=False)
    validation.check_integer("--seed", arguments.seed, minimum=0)
    return arguments


def train_and_report(name, inputs, targets, arguments):
    """Trains a perceptron on one truth table, prints its predictions; returns the accuracy."""
    print(f"[INFO] training the perceptron on {name.upper()}...")
    perceptron = Perceptron(inputs.shape[1], alpha=arguments.alpha, seed=arguments.seed)
    mistakes = perceptron.fit(inputs, targets, epochs=arguments.epochs)
    predictions = perceptron.predict(inputs)
    for sample, target, prediction in zip(inputs, targets, predictions):
        print(f"[INFO] data={sample.tolist()}, ground-truth={target}, pred={prediction}")
    accuracy = float(np.mean(predictions == targets))
    print(f"[INFO] {name.upper()}: accuracy {accuracy:.2f}, mistakes in the last epoch: {mistakes[-1]}")
    return accuracy


def main():
    arguments = parse_arguments()
    inputs = np.array(config.BITWISE_INPUTS)
    accuracies = {
        name: train_and_report(name, inputs, np.array(targets), arguments)
        for name, targets in config.BITWISE_TARGETS.items()
    }
    print("[INFO] summary: " + ", ".join(f"{name.upper()} {value:.2f}" for name, value in accuracies.items()))
    if accuracies["xor"] < 1.0:
        print("[INFO] XOR is not linearly separable: a single layer of weights can't fit all four inputs.")
    return accuracies


if __name__ == "__main__":
    sys.exit(cli.run(main))
