"""`synthetic-boxes`: a generated, offline data set for bounding-box regression.

Every image holds one object (a filled ellipse, rectangle, triangle or star, in one strong
colour with a dark outline) on clutter (a blurred gradient, texture, lines, small blobs
and outlines, some of them drawn over the object), and its box is the object's tight box,
measured from the mask it was drawn with. The files are the annotation format that
`boxannotations` reads, so the same reader serves real data:

    <folder>/annotations.csv       filename,start_x,start_y,end_x,end_y (a header, then one row per image)
    <folder>/images/synthetic_box_00001.jpg ...

Image sizes vary (about 240-400 x 200-360), so the corners only become comparable once they
are scaled by the image's width and height. Image i depends only on (seed, i).

    folder = resolve_synthetic_boxes("synthetic-boxes")        # <datasets root>/synthetic-boxes, 3,000 images
    folder = resolve_synthetic_boxes("synthetic-boxes-5000")   # the same seed, 5,000 images
"""

import math
import pathlib
import re

import cv2
import numpy as np
import progressbar

from pyimagesearch.utils import atomic, errors, validation

NAME = "synthetic-boxes"
# "synthetic-boxes" or "synthetic-boxes-<images>": the name says how many images it holds.
NAME_PATTERN = re.compile(r"synthetic-boxes(?:-([0-9]+))?")
DEFAULT_IMAGES = 3000
MAXIMUM_IMAGES = 1_000_000
SEED = 42
ANNOTATIONS_FILE = "annotations.csv"
IMAGES_FOLDER = "images"
HEADER = "filename,start_x,start_y,end_x,end_y"
SHAPES = ("ellipse", "rectangle", "triangle", "star")
WIDTHS = (240, 400)
HEIGHTS = (200, 360)
# The object's box takes this fraction of the image's width and height (each drawn apart).
OBJECT_FRACTIONS = (0.2, 0.7)
JPEG_QUALITY = 90


def is_synthetic_name(name):
    """Whether `name` is "synthetic-boxes" or "synthetic-boxes-<images>"."""
    return isinstance(name, str) and NAME_PATTERN.fullmatch(name) is not None


def images_in_name(name):
    """How many images the named set holds: DEFAULT_IMAGES, or the number after the name."""
    match = NAME_PATTERN.fullmatch(name) if isinstance(name, str) else None
    if match is None:
        raise errors.InvalidArgumentError(
            f"Expected '{NAME}' or '{NAME}-<images>' (e.g. {NAME}-5000). Received: name={name!r}"
        )
    if match.group(1) is None:
        return DEFAULT_IMAGES
    return validation.check_integer(f"the number of images in {name!r}", int(match.group(1)), 1, MAXIMUM_IMAGES)


def resolve_synthetic_boxes(name, datasets_root=None, verbose=True):
    """Returns the folder of the named set, generating it on first use.

    It lives in `<datasets_root>/<name>`, by default the catalog's datasets root
    (`$PYIMAGESEARCH_DATASETS` or `datasets/`); like the catalog, the folder is drawn under
    a temporary name and moved into place only when complete.
    """
    images = images_in_name(name)
    if datasets_root is None:
        # Imported here: the catalog pulls in the downloader, which a generator never needs.
        from pyimagesearch.datasets import catalog

        datasets_root = catalog.default_datasets_root()
    folder = pathlib.Path(datasets_root) / name
    if folder.exists():
        return _check_existing(folder, images)
    atomic.remove_stale_partials(folder)
    return generate_synthetic_boxes(folder, images=images, seed=SEED, verbose=verbose)


def _check_existing(folder, images):
    """Refuses a folder this generator did not make, or made with another number of images
    (the default of an older version), rather than train on the wrong set silently."""
    csv_path = folder / ANNOTATIONS_FILE
    if not csv_path.is_file():
        raise errors.InvalidArgumentError(
            f"{folder} exists but has no {ANNOTATIONS_FILE}, so it was not made by this generator "
            f"(which only moves complete folders into place). Delete it and run again. Received: {folder}"
        )
    with open(csv_path, encoding="utf-8") as handle:
        rows = sum(1 for line in handle if line.strip()) - 1  # the header
    if rows != images:
        raise errors.InvalidArgumentError(
            f"{folder} holds {rows} images, but '{folder.name}' means {images}: it was generated with another "
            f"default. Delete it to generate it again. Received: {csv_path}"
        )
    return folder


def generate_synthetic_boxes(output_dir, images=DEFAULT_IMAGES, seed=SEED, verbose=True):
    """Draws `images` images and their annotations.csv into the new folder `output_dir`.

    The same seed gives byte-identical files, and the first N images of a larger set are the
    N images of a smaller one. Returns `output_dir` as a pathlib.Path.
    """
    output_dir = pathlib.Path(output_dir)
    if output_dir.exists() and (not output_dir.is_dir() or any(output_dir.iterdir())):
        raise errors.InvalidArgumentError(
            f"`output_dir` must be a new (or empty) folder; delete it to draw again. Received: output_dir={str(output_dir)!r}"
        )
    images = validation.check_integer("images", images, 1, MAXIMUM_IMAGES)
    seed = validation.check_integer("seed", seed, minimum=0)
    bar = progressbar.ProgressBar(max_value=images, prefix="synthetic boxes: ") if verbose else None
    rows = [HEADER]
    with atomic.atomic_output_path(output_dir) as temporary_dir:
        (temporary_dir / IMAGES_FOLDER).mkdir(parents=True)
        for index in range(images):
            image, box = draw_box_image(seed, index)
            filename = f"{IMAGES_FOLDER}/synthetic_box_{index + 1:05d}.jpg"
            ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
            if not ok:
                raise RuntimeError(f"OpenCV could not encode synthetic box image {index}")
            (temporary_dir / filename).write_bytes(encoded.tobytes())
            rows.append(",".join([filename, *(str(value) for value in box)]))
            if bar is not None:
                bar.update(index + 1)
        (temporary_dir / ANNOTATIONS_FILE).write_text("\n".join(rows) + "\n", encoding="utf-8")
    if bar is not None:
        bar.finish()
    return output_dir


def draw_box_image(seed, index):
    """Returns (image, box): one uint8 BGR image and the object's tight box (start_x,
    start_y, end_x, end_y) as ints, in pixel edge coordinates."""
    rng = np.random.default_rng([seed, index])
    width = int(rng.integers(*WIDTHS, endpoint=True))
    height = int(rng.integers(*HEIGHTS, endpoint=True))
    image = _background(rng, height, width)
    _draw_clutter(rng, image, count=int(rng.integers(8, 20)))
    mask = np.zeros((height, width), np.uint8)
    colour = _object_colour(rng)
    polygon = _object_polygon(rng, width, height)
    cv2.fillPoly(mask, [np.round(polygon).astype(np.int32)], 255)
    points = np.round(polygon * 16).astype(np.int32)  # 4 fractional bits for smooth edges
    cv2.fillPoly(image, [points], colour, cv2.LINE_AA, shift=4)
    outline = tuple(0.45 * channel for channel in colour)
    cv2.polylines(image, [points], True, outline, 2, cv2.LINE_AA, shift=4)
    _draw_lines(rng, image, int(rng.integers(0, 4)))  # a few occluders over the object
    rows, columns = np.nonzero(mask)
    box = (int(columns.min()), int(rows.min()), int(columns.max()) + 1, int(rows.max()) + 1)
    # Sensor-like noise, uniform in [-12, 12] (std 7): integer draws are about 8x faster
    # than normal ones, and the noise's exact shape doesn't matter here.
    noise = rng.integers(-12, 13, image.shape, dtype=np.int16)
    return np.clip(image + noise, 0, 255).astype(np.uint8), box


def _background(rng, height, width):
    """A two-colour gradient with low-frequency texture, blurred."""
    top = rng.uniform(30, 225, 3).astype(np.float32)
    bottom = rng.uniform(30, 225, 3).astype(np.float32)
    ramp = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    image = (1 - ramp) * top + ramp * bottom
    texture = rng.normal(0, 30, size=(5, 7, 3)).astype(np.float32)
    image = image + cv2.resize(texture, (width, height), interpolation=cv2.INTER_LINEAR)
    return np.clip(image, 0, 255).astype(np.uint8)


def _draw_clutter(rng, image, count):
    """Small filled blobs, outlines of shapes and lines: things the network must ignore."""
    height, width = image.shape[:2]
    side = min(height, width)
    for _ in range(count):
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        colour = tuple(float(value) for value in rng.uniform(0, 255, 3))
        kind = rng.integers(0, 3)
        if kind == 0:  # a small filled blob, much smaller than any object
            radius = int(rng.uniform(0.02, 0.07) * side)
            cv2.circle(image, centre, max(radius, 2), colour, -1, cv2.LINE_AA)
        elif kind == 1:  # a large outline: object-sized, but not filled
            axes = (int(rng.uniform(0.1, 0.35) * width), int(rng.uniform(0.1, 0.35) * height))
            cv2.ellipse(image, centre, axes, rng.uniform(0, 180), 0, 360, colour, 1, cv2.LINE_AA)
        else:
            _draw_lines(rng, image, 1)
    return image


def _draw_lines(rng, image, count):
    height, width = image.shape[:2]
    for _ in range(count):
        start = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        end = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        colour = tuple(float(value) for value in rng.uniform(0, 255, 3))
        cv2.line(image, start, end, colour, int(rng.integers(1, 4)), cv2.LINE_AA)


def _object_colour(rng):
    """A strong colour: one channel high, one low, so the object stands out of the clutter."""
    channels = rng.permutation(3)
    colour = np.empty(3)
    colour[channels[0]] = rng.uniform(200, 255)
    colour[channels[1]] = rng.uniform(0, 60)
    colour[channels[2]] = rng.uniform(0, 255)
    return tuple(float(value) for value in colour)


def _object_polygon(rng, width, height):
    """The object's outline (float (K, 2) x, y) inside the image: a random shape, size,
    aspect ratio, position and rotation."""
    box_width = rng.uniform(*OBJECT_FRACTIONS) * width
    box_height = rng.uniform(*OBJECT_FRACTIONS) * height
    shape = SHAPES[int(rng.integers(0, len(SHAPES)))]
    unit = _unit_shape(rng, shape)
    angle = rng.uniform(-0.5, 0.5) if shape != "ellipse" else 0.0
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    points = unit @ rotation.T
    # Stretch the rotated outline to the drawn box size, then place it fully inside the image.
    points = (points - points.min(axis=0)) / np.ptp(points, axis=0) * [box_width, box_height]
    offset = [rng.uniform(0, width - box_width), rng.uniform(0, height - box_height)]
    return np.clip(points + offset, 0, [width - 1, height - 1])


def _unit_shape(rng, shape):
    if shape == "ellipse":
        angles = np.linspace(0, 2 * math.pi, 48, endpoint=False)
        return np.stack([np.cos(angles), np.sin(angles)], axis=1)
    if shape == "rectangle":
        return np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])
    if shape == "triangle":
        return np.array([[rng.uniform(-1, 1), -1.0], [1.0, 1.0], [-1.0, 1.0]])
    tips = int(rng.integers(5, 8))
    angles = np.linspace(0, 2 * math.pi, 2 * tips, endpoint=False)
    radii = np.where(np.arange(2 * tips) % 2 == 0, 1.0, rng.uniform(0.4, 0.6))
    return np.stack([radii * np.cos(angles), radii * np.sin(angles)], axis=1)
