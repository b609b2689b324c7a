"""An ensemble of MiniVGGNets on CIFAR-10: the course's settings. Command-line flags override these."""

EXPERIMENT = "ensemble_cifar10"

# A catalog name (cifar10, synthetic-cifar10) or a folder holding cifar-10-batches-bin/.
DATASET = "cifar10"

MODELS = 5
EPOCHS = 40
BATCH_SIZE = 64  # per replica; the global batch is this times the number of replicas
# The course's SGD(lr=0.001, decay=0.01 / 40, momentum=0.9, nesterov=True).
LEARNING_RATE = 0.001
DECAY = 0.01 / 40
MOMENTUM = 0.9
# The course's ImageDataGenerator(rotation_range=10, width_shift_range=0.1,
# height_shift_range=0.1, horizontal_flip=True, fill_mode="nearest").
AUGMENT = True
ROTATION = 10
SHIFT = 0.1
CHECKPOINT_EVERY = 5

SEED = 42  # member k trains with seed SEED + k
OUTPUT = "output"
# The ensemble's own folder holds this file: its members, their seeds, accuracies and peak memory.
SUMMARY_FILE = "ensemble.json"
