"""MiniVGGNet on Flowers-17: the course's settings. Command-line flags override these."""

EXPERIMENT = "minivgg_flowers17"

# A catalog name (flowers17, synthetic-flowers17, digits) or a folder of class subfolders.
DATASET = "flowers17"
IMAGE_SIZE = 64
TEST_SIZE = 0.25

EPOCHS = 100
BATCH_SIZE = 32  # per replica; the global batch is this times the number of replicas
LEARNING_RATE = 0.05  # plain SGD, as in the course
AUGMENT = True
CHECKPOINT_EVERY = 5

SEED = 42
OUTPUT = "output"
