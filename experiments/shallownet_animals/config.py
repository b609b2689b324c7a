"""ShallowNet on the course's animals (dogs, cats, pandas): the course's settings. Flags override these.

`preprocessors(image_size)` is here, beside the size, so train.py, evaluate.py and predict.py
prepare every image the same way.
"""

from pyimagesearch.preprocessing.imagetoarraypreprocessor import ImageToArrayPreprocessor
from pyimagesearch.preprocessing.simplepreprocessor import SimplePreprocessor

EXPERIMENT = "shallownet_animals"

# A folder of class subfolders (the course's animals set is not public: see README.md) or a
# catalog name; offline: --dataset digits --classes 0 1 2.
DATASET = "datasets/animals"
CLASSES = None  # every class folder; --classes keeps some
IMAGE_SIZE = 32
TEST_SIZE = 0.25

EPOCHS = 100
BATCH_SIZE = 32  # per replica; the global batch is this times the number of replicas
LEARNING_RATE = 0.005  # plain SGD, as in the course
CHECKPOINT_EVERY = 10

SEED = 42
OUTPUT = "output"

PREDICT_COUNT = 10  # predict.py: how many random held-out images it labels


def preprocessors(image_size):
    """The course's chain: SimplePreprocessor (resize, aspect ratio ignored), ImageToArrayPreprocessor.

    The array stays uint8 and channels-last: the tf.data batch transform scales to [0, 1] and
    moves channels first when Keras asks for it, so float32 images are never held in memory.
    """
    return [
        SimplePreprocessor(image_size, image_size),
        ImageToArrayPreprocessor(data_format="channels_last", dtype="uint8"),
    ]
