"""ResNet-56 on CIFAR-10: the course's settings. Command-line flags override these."""

EXPERIMENT = "resnet_cifar10"

# A catalog name (cifar10, synthetic-cifar10) or a folder holding cifar-10-batches-bin/.
DATASET = "cifar10"

# Three stages of 9 bottleneck modules: 3 x 9 x 3 convolutions + the stem + the classifier = 56 layers.
STAGES = (9, 9, 9)
FILTERS = (64, 64, 128, 256)  # the stem's, then each stage's output channels
# L2 factor of every kernel. The course's train scripts pass reg=0.0005; its ResNet module forgot to
# pass `reg` on to the residual modules, so those kept the default 0.0001 and only the stem and the
# classifier saw 0.0005. Here 0.0005 reaches every kernel (see pyimagesearch/nn/conv/resnet.py).
REGULARIZATION = 5e-4

EPOCHS = 100
BATCH_SIZE = 128  # per replica; the global batch is this times the number of replicas
LEARNING_RATE = 0.1  # SGD with momentum 0.9
MOMENTUM = 0.9
# none: a constant rate, lowered by hand with --resume RUN --from-epoch K --learning-rate LR (the
# course: 0.1, then 0.01 from epoch 75); polynomial: the course's poly_decay from 0.1 to 0 over --epochs.
LR_SCHEDULES = ("none", "polynomial")
LR_SCHEDULE = "none"
POWER = 1.0
# Shifts of up to 10% and horizontal flips, on the training batches only.
AUGMENT = True
CHECKPOINT_EVERY = 5

SEED = 42
OUTPUT = "output"
