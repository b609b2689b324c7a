"""Images with a text label drawn on them, written as files: what a predict script shows.

    annotated = annotation.draw_label(image, "cat: 97.1%")
    annotation.write_image(run_dir / "predictions" / "0001.png", annotated)

The course's load-and-predict scripts draw the predicted label on each image with
`cv2.putText` and show it in a window; here the image is written to a file, since a run may
have no display. Small images (the 8x8 digits, a 32x32 network input) are enlarged first,
with nearest-neighbour interpolation so their pixels stay visible, or no text would fit.
"""

import cv2
import numpy as np

from pyimagesearch.utils import atomic, errors, validation

# The shorter side an image is enlarged to (at least) before the text is drawn.
MINIMUM_SIDE = 160
TEXT_COLOUR = (0, 255, 0)  # BGR green, as in the course
BACKGROUND_COLOUR = (0, 0, 0)
FONT = cv2.FONT_HERSHEY_SIMPLEX


def draw_label(image, text, minimum_side=MINIMUM_SIDE):
    """Returns a copy of `image` (uint8, (H, W) or (H, W, 3) BGR) with `text` in its top-left corner.

    The copy is enlarged by a whole factor until its shorter side is at least `minimum_side`,
    and the text sits on a filled black band so it stays readable on any background. The font
    scale follows the width, and long text is scaled down to fit.
    """
    image = _check_image(image)
    validation.check_integer("minimum_side", minimum_side, minimum=1)
    if not isinstance(text, str) or not text:
        raise errors.InvalidArgumentError(f"`text` must be a non-empty string. Received: text={text!r}")
    factor = max(1, -(-minimum_side // min(image.shape[:2])))
    canvas = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_NEAREST)
    if canvas.ndim == 2:
        canvas = cv2.cvtColor(canvas, cv2.COLOR_GRAY2BGR)
    width = canvas.shape[1]
    scale = max(0.5, width / 400.0)
    thickness = max(1, round(scale * 2))
    (text_width, text_height), baseline = cv2.getTextSize(text, FONT, scale, thickness)
    if text_width > width - 10:
        scale *= (width - 10) / text_width
        (text_width, text_height), baseline = cv2.getTextSize(text, FONT, scale, thickness)
    band_height = text_height + baseline + 10
    cv2.rectangle(canvas, (0, 0), (min(width, text_width + 10), band_height), BACKGROUND_COLOUR, thickness=-1)
    cv2.putText(canvas, text, (5, 5 + text_height), FONT, scale, TEXT_COLOUR, thickness, cv2.LINE_AA)
    return canvas


def write_image(path, image):
    """Encodes `image` by the extension of `path` (.png, .jpg, ...) and writes it atomically."""
    image = _check_image(image)
    extension = "." + str(path).rsplit(".", 1)[-1] if "." in str(path) else ""
    try:
        encoded, buffer = cv2.imencode(extension, image)
    except cv2.error as error:
        encoded, buffer = False, error
    if not encoded:
        raise errors.InvalidArgumentError(
            f"OpenCV can't encode an image as {extension or 'a file without extension'}; use .png or .jpg. "
            f"Received: path={str(path)!r}"
        )
    with atomic.atomic_output_path(path) as temporary_path:
        with open(temporary_path, "wb") as handle:
            handle.write(buffer.tobytes())
    return path


def _check_image(image):
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3) \
            or 0 in image.shape:
        raise errors.InvalidArgumentError(
            "`image` must be a non-empty uint8 (H, W) or (H, W, 3) BGR array. "
            f"Received: shape={image.shape}, dtype={image.dtype}"
        )
    return image
