"""Neural networks from scratch in NumPy: the perceptron and a backpropagation network.

The Keras convolutional networks live in `pyimagesearch.nn.conv`.
"""

from pyimagesearch.nn.neuralnetwork import NeuralNetwork
from pyimagesearch.nn.perceptron import Perceptron

__all__ = ["NeuralNetwork", "Perceptron"]
