"""Axis-aligned bounding boxes: pixel and [0, 1] corners, IoU, the IoU report, drawing.

    scaled = scale_boxes(pixel_boxes, width, height)     # what a box regressor learns
    pixels = unscale_boxes(predicted, width, height)     # back onto the image
    overlaps = iou(true_boxes, predicted_boxes)          # one IoU per row
    metrics = write_iou_report(report_dir, true_boxes, predicted_boxes)
    draw_box(image, pixels[0], colour=(0, 255, 0), label="predicted")

A box is `(start_x, start_y, end_x, end_y)`: its top-left and bottom-right corners in pixel
edge coordinates, so a box covering the whole W x H image is (0, 0, W, H) and its width is
`end_x - start_x`. A box regressor predicts the corners divided by the image's width and
height, so one network serves images of every size.

These are the metric and geometry of a box regression network's output, so they sit in the
network layer: every layer above (datasets' generators, training, experiments) may use them.
"""

import pathlib

import cv2
import numpy as np

from pyimagesearch.utils import atomic, errors

METRICS_NAME = "metrics.json"
REPORT_NAME = "iou_report.txt"
# The shares of boxes at or above these IoUs go into the report; 0.5 is PASCAL VOC's
# "correct detection" threshold, 0.75 COCO's strict one.
IOU_THRESHOLDS = (0.5, 0.75)


def as_boxes(name, boxes):
    """Returns `boxes` as a float64 (N, 4) array; a single box (4,) becomes (1, 4)."""
    array = np.asarray(boxes, dtype=np.float64)
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2 or array.shape[1] != 4:
        raise errors.InvalidArgumentError(
            f"`{name}` must be boxes (N, 4) of (start_x, start_y, end_x, end_y). Received: {name}.shape={np.shape(boxes)}"
        )
    if not np.all(np.isfinite(array)):
        raise errors.InvalidArgumentError(f"`{name}` must hold finite numbers. Received: {name} with NaN or infinity")
    return array


def scale_boxes(boxes, width, height):
    """Pixel corners -> corners in [0, 1]: x divided by `width`, y by `height` (float32)."""
    sizes = _sizes(width, height)
    return (as_boxes("boxes", boxes) / sizes).astype(np.float32)


def unscale_boxes(boxes, width, height):
    """Corners in [0, 1] -> pixel corners on a `width` x `height` image (float64)."""
    return as_boxes("boxes", boxes) * _sizes(width, height)


def _sizes(width, height):
    # Broadcast per row when given one width and height per box.
    width = np.asarray(width, dtype=np.float64)
    height = np.asarray(height, dtype=np.float64)
    if np.any(width <= 0) or np.any(height <= 0):
        raise errors.InvalidArgumentError(
            f"Image widths and heights must be > 0. Received: width={width.tolist()}, height={height.tolist()}"
        )
    return np.stack(np.broadcast_arrays(width, height, width, height), axis=-1)


def iou(boxes_a, boxes_b):
    """Intersection over union of each row of `boxes_a` with the same row of `boxes_b` (N,).

    Boxes whose end is before their start (a regressor can predict one) count as empty: their
    IoU is 0, never negative. Two empty boxes also give 0.
    """
    boxes_a = as_boxes("boxes_a", boxes_a)
    boxes_b = as_boxes("boxes_b", boxes_b)
    if len(boxes_a) != len(boxes_b):
        raise errors.InvalidArgumentError(
            f"`boxes_a` and `boxes_b` must have the same number of boxes. Received: {len(boxes_a)} and {len(boxes_b)}"
        )
    overlap_width = np.minimum(boxes_a[:, 2], boxes_b[:, 2]) - np.maximum(boxes_a[:, 0], boxes_b[:, 0])
    overlap_height = np.minimum(boxes_a[:, 3], boxes_b[:, 3]) - np.maximum(boxes_a[:, 1], boxes_b[:, 1])
    intersection = np.clip(overlap_width, 0, None) * np.clip(overlap_height, 0, None)
    union = _area(boxes_a) + _area(boxes_b) - intersection
    return np.divide(intersection, union, out=np.zeros_like(intersection), where=union > 0)


def _area(boxes):
    return np.clip(boxes[:, 2] - boxes[:, 0], 0, None) * np.clip(boxes[:, 3] - boxes[:, 1], 0, None)


def iou_metrics(true_boxes, predicted_boxes):
    """The held-out summary: mean and median IoU, the share at or above each of
    `IOU_THRESHOLDS`, the sample count, and the mean absolute error of the corners.

    Works on scaled or pixel boxes alike (IoU doesn't depend on the unit, the corner error
    is in the boxes' own unit).
    """
    true_boxes = as_boxes("true_boxes", true_boxes)
    predicted_boxes = as_boxes("predicted_boxes", predicted_boxes)
    overlaps = iou(true_boxes, predicted_boxes)
    if len(overlaps) == 0:
        raise errors.InvalidArgumentError("There are no boxes to score. Received: 0 boxes")
    metrics = {
        "mean_iou": float(np.mean(overlaps)),
        "median_iou": float(np.median(overlaps)),
        "samples": int(len(overlaps)),
        "corner_mean_absolute_error": float(np.mean(np.abs(true_boxes - predicted_boxes))),
    }
    for threshold in IOU_THRESHOLDS:
        metrics[f"share_iou_at_least_{threshold:g}"] = float(np.mean(overlaps >= threshold))
    return metrics


def report_text(metrics):
    """The short text report of `iou_metrics`' result."""
    lines = [
        f"held-out boxes:          {metrics['samples']}",
        f"mean IoU:                {metrics['mean_iou']:.4f}",
        f"median IoU:              {metrics['median_iou']:.4f}",
    ]
    for threshold in IOU_THRESHOLDS:
        lines.append(f"share with IoU >= {threshold:<4g}:  {metrics[f'share_iou_at_least_{threshold:g}']:.4f}")
    lines.append(f"corner mean abs. error:  {metrics['corner_mean_absolute_error']:.4f} (fraction of width/height)")
    return "\n".join(lines) + "\n"


def write_iou_report(report_dir, true_boxes, predicted_boxes):
    """Writes `metrics.json` and `iou_report.txt` into `report_dir` (atomically); returns the metrics."""
    metrics = iou_metrics(true_boxes, predicted_boxes)
    report_dir = pathlib.Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    atomic.write_json_atomic(report_dir / METRICS_NAME, metrics)
    atomic.write_text_atomic(report_dir / REPORT_NAME, report_text(metrics))
    return metrics


def draw_box(image, box, colour=(0, 255, 0), label=None, thickness=2, label_below=False):
    """Draws one pixel box on a BGR `image` in place and returns it.

    `label` goes above the box, or below it with `label_below` (so two boxes that start at
    the same corner keep their labels apart); at the image's edge it moves to the other side.
    """
    start_x, start_y, end_x, end_y = (int(round(value)) for value in as_boxes("box", box)[0])
    # The rectangle's last pixel is end - 1: ends are edge coordinates.
    cv2.rectangle(image, (start_x, start_y), (end_x - 1, end_y - 1), colour, thickness)
    if label:
        above, below = start_y - 6, end_y + 14
        fits_above, fits_below = above >= 10, below <= image.shape[0] - 2
        text_y = below if (label_below and fits_below) or not fits_above else above
        text_y = min(text_y, image.shape[0] - 2)
        cv2.putText(image, label, (max(start_x, 0), text_y), cv2.FONT_HERSHEY_SIMPLEX, 0.45, colour, 1, cv2.LINE_AA)
    return image
