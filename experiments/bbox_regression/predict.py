"""Draw predicted boxes (red) and, where known, the true ones (green) into <run>/predictions/.

    python experiments/bbox_regression/predict.py                           # 8 held-out images of the latest run
    python experiments/bbox_regression/predict.py --run output/bbox_regression/<run-id> --count 20
    python experiments/bbox_regression/predict.py --images photo1.jpg photo2.jpg   # any images: predicted box only

Held-out images are labelled with their IoU. Each drawing is written as
<run>/predictions/<image name>.jpg, at the image's own size.
"""

import argparse
import pathlib
import sys

import cv2
import numpy as np

import config
from pyimagesearch.datasets import boxannotations, imagefiles
from pyimagesearch.io import pipeline
from pyimagesearch.nn import boxes
from pyimagesearch.nn.conv.boxregressor import BoxRegressor
from pyimagesearch.training import runs
from pyimagesearch.utils import atomic, cli, validation

TRUE_COLOUR = (0, 200, 0)
PREDICTED_COLOUR = (0, 0, 255)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", default=None, help="run folder (default: the latest under --output)")
    parser.add_argument("--output", default=config.OUTPUT, help="root folder for run folders")
    parser.add_argument("--count", type=int, default=8, help="how many held-out images to draw")
    parser.add_argument("--images", nargs="+", default=None, metavar="PATH", help="draw these images instead")
    arguments = parser.parse_args()
    validation.check_integer("--count", arguments.count, minimum=1)
    return arguments


def held_out_images(run_dir, count):
    """(path, true pixel box) of the first `count` held-out images of the run."""
    split = boxannotations.load_split(run_dir / "split.json")
    root = pathlib.Path(split["root"])
    return [(root / entry["filename"], entry["box"]) for entry in split["test"][:count]]


def predict_boxes(model, backbone, images, image_size):
    """Pixel boxes predicted for full-size BGR `images`, one per image."""
    inputs = np.stack([boxannotations.resize_to_square(image, image_size) for image in images])
    transform = pipeline.make_batch_transform(one_hot=False, **BoxRegressor.input_scaling(backbone))
    scaled, _ = transform(inputs, np.zeros(len(inputs)))
    predicted = model.predict(scaled.numpy(), verbose=0)
    widths = [image.shape[1] for image in images]
    heights = [image.shape[0] for image in images]
    return boxes.unscale_boxes(predicted, widths, heights)


def draw(image, predicted_box, true_box):
    boxes.draw_box(image, predicted_box, PREDICTED_COLOUR, label="predicted", label_below=True)
    if true_box is not None:
        overlap = boxes.iou(true_box, predicted_box)[0]
        boxes.draw_box(image, true_box, TRUE_COLOUR, label=f"true (IoU {overlap:.2f})")
    return image


def main():
    arguments = parse_arguments()
    run_dir, saved, model = runs.open_finished_run(arguments.run, arguments.output, config.EXPERIMENT)
    if arguments.images:
        # Read first, so a bad path fails before anything is drawn.
        items = [(pathlib.Path(path), None) for path in arguments.images]
    else:
        items = held_out_images(run_dir, arguments.count)
    images = [imagefiles.read_image(path) for path, _ in items]
    predicted = predict_boxes(model, saved["backbone"], images, saved["image_size"])
    output_dir = run_dir / "predictions"
    output_dir.mkdir(exist_ok=True)
    for (path, true_box), image, predicted_box in zip(items, images, predicted):
        drawn = draw(image, predicted_box, true_box)
        target = output_dir / f"{path.stem}.jpg"
        with atomic.atomic_output_path(target) as temporary:
            if not cv2.imwrite(str(temporary), drawn):
                raise OSError(f"OpenCV could not write {target}")
        print(f"[INFO] {path.name}: predicted {np.round(predicted_box).astype(int).tolist()}"
              + ("" if true_box is None else f", true {[round(value) for value in true_box]}") + f" -> {target}")


if __name__ == "__main__":
    sys.exit(cli.run(main))
