"""Classify one image with a network pre-trained on ImageNet, and draw the top label on it.

    python experiments/imagenet_pretrained/classify.py --image photo.jpg --model vgg16
    python experiments/imagenet_pretrained/classify.py --image photo.jpg --model inception_v3
    python experiments/imagenet_pretrained/classify.py --image photo.jpg --model resnet50 \\
        --weights resnet50_weights_tf_dim_ordering_tf_kernels.h5 --class-index imagenet_class_index.json

Models: vgg16, vgg19, resnet50 (224x224 input) and inception_v3, xception (299x299), each
with its own preprocess_input, fed RGB (OpenCV reads BGR). It prints the top-5 ImageNet labels
and writes the image with the top label drawn on it (default
output/imagenet_pretrained/<image>_<model>.png), atomically.

--weights imagenet (the default) lets Keras download the weights once into its cache
(~/.keras/models). Offline, pass --weights PATH: a weights file of the same network with its
classifier (Keras' own `*_weights_tf_dim_ordering_tf_kernels.h5`, or a `.weights.h5` saved by
`model.save_weights`). Label names come from Keras' imagenet_class_index.json: --class-index
PATH, or the copy in the Keras cache; without one the class indices are printed, with a note on
how to get the names. Without weights and without a network it stops within seconds with a
message saying what to do.
"""

import argparse
import pathlib
import sys

import cv2
import numpy as np

from pyimagesearch.datasets import imagefiles
from pyimagesearch.nn import applications
from pyimagesearch.utils import atomic, cli, errors

MODELS = ("vgg16", "vgg19", "resnet50", "inception_v3", "xception")
DEFAULT_OUTPUT_FOLDER = pathlib.Path("output") / "imagenet_pretrained"
LABEL_COLOUR = (0, 255, 0)  # BGR green, as in the course


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image", required=True, help="the image to classify")
    parser.add_argument("--model", default="vgg16", choices=MODELS, help="the pre-trained network")
    parser.add_argument("--weights", default="imagenet", help="imagenet | PATH of a weights file (with the top)")
    parser.add_argument("--class-index", default=None, help="imagenet_class_index.json (default: the Keras cache's)")
    parser.add_argument("--output", default=None,
                        help="the labelled image (default: output/imagenet_pretrained/<image>_<model>.png)")
    parser.add_argument("--top", type=int, default=5, help="how many labels to print")
    parser.add_argument("--input-size", type=int, default=None,
                        help="only with --weights PATH from a network built at another size (default: 224 or 299)")
    return parser.parse_args(argv)


def validate_arguments(arguments):
    weights = applications.parse_weights(arguments.weights)
    if weights is None:
        raise errors.InvalidArgumentError(
            "Classifying needs trained weights: 'imagenet' or a weights file (random weights give random labels). "
            f"Received: weights={arguments.weights!r}"
        )
    if arguments.input_size is not None and weights == applications.IMAGENET:
        size = applications.default_image_size(arguments.model)
        raise errors.InvalidArgumentError(
            f"--input-size only applies to --weights PATH: the ImageNet classifier takes {size}x{size} images. "
            f"Received: input_size={arguments.input_size}"
        )
    if arguments.top < 1:
        raise errors.InvalidArgumentError(f"--top must be >= 1. Received: top={arguments.top}")
    return weights


def network_input(image, model_name, size):
    """The image resized to the network's square input and preprocessed: a batch of one."""
    interpolation = cv2.INTER_AREA if min(image.shape[:2]) >= size else cv2.INTER_CUBIC
    resized = cv2.resize(image, (size, size), interpolation=interpolation)
    return applications.preprocess_bgr(model_name, resized[np.newaxis])


def label_text(row):
    name = row["name"] if row["name"] is not None else f"class {row['index']}"
    return f"Label: {name}, {row['probability'] * 100:.2f}%"


def draw_label(image, text):
    """A copy of `image` with `text` drawn at the top left, scaled to the image size."""
    labelled = image.copy()
    scale = max(0.4, min(image.shape[:2]) / 600)
    thickness = max(1, round(2 * scale))
    origin = (10, int(30 * scale) + 5)
    cv2.putText(labelled, text, origin, cv2.FONT_HERSHEY_SIMPLEX, 0.8 * scale, LABEL_COLOUR, thickness)
    return labelled


def write_image(path, image):
    """Writes the image atomically: the temporary file keeps the suffix, which picks the encoder."""
    with atomic.atomic_output_path(path) as temporary_path:
        if not cv2.imwrite(str(temporary_path), image):
            raise errors.InvalidArgumentError(
                f"OpenCV could not write an image to {path} (unknown extension?). Received: output={str(path)!r}"
            )


def classify(arguments):
    weights = validate_arguments(arguments)
    image = imagefiles.read_image(arguments.image)
    size = arguments.input_size or applications.default_image_size(arguments.model)
    print(f"[INFO] loading {arguments.model} (weights={arguments.weights}, input {size}x{size})...")
    model = applications.build_application(arguments.model, weights=weights, include_top=True, image_size=size)
    probabilities = model.predict(network_input(image, arguments.model, size), verbose=0)[0]
    class_index = applications.load_class_index(arguments.class_index, download=weights == applications.IMAGENET)
    top = min(arguments.top, probabilities.size)
    rows = applications.top_predictions(probabilities, top=top, class_index=class_index)
    for row in rows:
        name = f"{row['name']} ({row['wnid']})" if row["name"] is not None else f"class {row['index']}"
        print(f"{row['rank']}. {name}: {row['probability'] * 100:.2f}%")
    if class_index is None:
        folder = applications.keras_cache_folders()[0]
        print(f"[INFO] no ImageNet class index found, so indices are shown instead of names. Pass "
              f"--class-index PATH, or put {applications.CLASS_INDEX_FILE} ({applications.CLASS_INDEX_URL}) into {folder}.")
    output = pathlib.Path(arguments.output) if arguments.output else (
        DEFAULT_OUTPUT_FOLDER / f"{pathlib.Path(arguments.image).stem}_{arguments.model}.png"
    )
    write_image(output, draw_label(image, label_text(rows[0])))
    print(f"[INFO] wrote {output}")
    return rows


def main(argv=None):
    return classify(parse_arguments(argv))


if __name__ == "__main__":
    # Bad flags, an unreadable image, weights that are neither cached nor downloadable: one
    # clear line ("error: ...") and exit code 2 instead of a traceback.
    sys.exit(cli.run(main))
