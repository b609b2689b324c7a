"""Fine-tuning VGG16 on Flowers-17: the course's settings. Command-line flags override these."""

EXPERIMENT = "finetune_flowers17"

# A catalog name (flowers17, synthetic-flowers17, digits) or a folder of class subfolders.
DATASET = "flowers17"
TEST_SIZE = 0.25  # with FOLDS = 1; k-fold tests on each fold in turn
FOLDS = 1

BACKBONE = "vgg16"
WEIGHTS = "imagenet"  # or "none" (random initialisation), or the path of a weights file
IMAGE_SIZE = None  # None: the backbone's own input size (224; 299 for Inception and Xception)
DENSE = 256  # units in FCHeadNet's hidden layer

# Stage 1 warms up the new head with the whole base frozen (RMSprop, as in the course).
WARMUP_EPOCHS = 25
WARMUP_LEARNING_RATE = 1e-3
# Stage 2 also trains the base from this layer on (an index or a layer name; VGG16: 15 is
# block5_conv1; run inspect_model.py to see other backbones' layers). SGD, as in the course.
UNFREEZE_FROM = 15
EPOCHS = 100
LEARNING_RATE = 1e-3

# Off by default (the course's recipe); see README.md for a fine-tuning report's settings.
LAYER_LR_MULTIPLIERS = ()  # e.g. (0.4, 0.6): earlier unfrozen blocks learn at 0.4x, then 0.6x
LR_DECAY_RATE = None  # e.g. 0.95: learning rate times 0.95 every epoch (ExponentialDecay)
WEIGHT_DECAY = None  # e.g. 1e-4 (decoupled, Keras' `weight_decay=`)

BATCH_SIZE = 32  # per replica; the global batch is this times the number of replicas
AUGMENT = True
CHECKPOINT_EVERY = 5  # epochs between checkpoints (per stage), for --resume
SEED = 42
OUTPUT = "output"
