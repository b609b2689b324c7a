"""The from-scratch NumPy networks: the course's settings. Command-line flags override these."""

EXPERIMENT = "numpy_networks"

# The perceptron on the bitwise truth tables (the course's perceptron_{and,or,xor}.py).
BITWISE_INPUTS = [[0, 0], [0, 1], [1, 0], [1, 1]]
BITWISE_TARGETS = {
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "xor": [0, 1, 1, 0],
}
PERCEPTRON_ALPHA = 0.1
PERCEPTRON_EPOCHS = 20

# The backpropagation network (the course's nn_xor.py and nn_mnist.py). The course sizes the
# digits network's input from the data (64 pixels) and uses the class's default alpha, 0.1.
PROBLEMS = {
    "xor": {"layers": [2, 2, 1], "alpha": 0.5, "epochs": 20000},
    "digits": {"layers": [64, 32, 16, 10], "alpha": 0.1, "epochs": 1000},
}
PROBLEM = "digits"
TEST_SIZE = 0.25  # digits only: XOR has four inputs, all of them used to train
DISPLAY_UPDATE = 100  # print the loss every this many epochs

SEED = 42
OUTPUT = "output"
