"""MiniGoogLeNet on CIFAR-10: the course's settings. Command-line flags override these."""

EXPERIMENT = "minigooglenet_cifar10"

# A catalog name (cifar10, synthetic-cifar10) or a folder holding cifar-10-batches-bin/.
DATASET = "cifar10"

EPOCHS = 70
BATCH_SIZE = 64  # per replica; the global batch is this times the number of replicas
LEARNING_RATE = 5e-3  # SGD with momentum 0.9 (no Nesterov), as in the course
MOMENTUM = 0.9
# The course's poly_decay: learning_rate * (1 - epoch / epochs) ** power, per epoch; 1 is linear.
POWER = 1.0
# Shifts of up to 10% and horizontal flips, on the training batches only.
AUGMENT = True
CHECKPOINT_EVERY = 5

SEED = 42
OUTPUT = "output"
