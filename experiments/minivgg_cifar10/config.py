"""MiniVGGNet on CIFAR-10: the course's settings. Command-line flags override these."""

EXPERIMENT = "minivgg_cifar10"

# A catalog name (cifar10, synthetic-cifar10) or a folder holding cifar-10-batches-bin/.
DATASET = "cifar10"

EPOCHS = 40
BATCH_SIZE = 64  # per replica; the global batch is this times the number of replicas
LEARNING_RATE = 0.01  # SGD with Nesterov momentum 0.9, as in the course
MOMENTUM = 0.9
BATCH_NORM = True
# The course's SGD(decay=0.01 / 40) is Keras 2's per-step inverse-time decay (learning_rate / epochs).
LR_SCHEDULES = ("none", "inverse-time", "step")
LR_SCHEDULE = "inverse-time"
# The learning-rate-scheduler chapter: factor 0.25 (or 0.5) every 5 epochs.
STEP_FACTOR = 0.25
STEP_EVERY = 5
CHECKPOINT_EVERY = 5

SEED = 42
OUTPUT = "output"
