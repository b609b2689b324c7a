"""Small synthetic images of coloured shapes: the drawing behind the CIFAR-10 and Tiny ImageNet stand-ins.

A class is a shape drawn in a colour (`ShapeClass`). Each image shows one large object of its
class on a cluttered background: a colour gradient with low-frequency texture, smaller
distractor shapes in random colours (often the other classes' shapes), sometimes an occluding
bar, then lighting changes, sensor noise and blur. Pose, scale, position and colour vary within
a class. `difficulty` (0 clean .. 1 hard, up to 2 accepted) scales all of it, so a small network
does not score 100% and augmentation has something to fix.

The images are deterministic: an image depends only on the generator it is drawn with, which
the stand-ins seed with (seed, split, class, index).
"""

import colorsys
import dataclasses
import functools
import math
import pathlib

import cv2
import numpy as np

from pyimagesearch.utils import errors, validation

DEFAULT_DIFFICULTY = 0.6
MAX_DIFFICULTY = 2.0
SHAPES = ("disc", "ring", "square", "diamond", "triangle", "cross", "star", "crescent", "hexagon", "bar")
CLASS_PREFIX = "synthetic_"
# Sub-pixel precision of the OpenCV polygons (coordinates are multiplied by 2**4).
_SHIFT = 4


@dataclasses.dataclass(frozen=True)
class ShapeClass:
    """One class: `shape` (one of SHAPES) in `colour` (hue in degrees, saturation, value in 0..1)."""

    name: str
    shape: str
    colour: tuple


# Ten classes for the CIFAR-10 stand-in, in confusable pairs: the same shape in nearby hues
# (red/orange disc, green/teal triangle) and the same colour in similar shapes (red disc/ring,
# blue square/hexagon, yellow star/cross).
CIFAR10_CLASSES = (
    ShapeClass("red_disc", "disc", (0, 0.85, 0.85)),
    ShapeClass("orange_disc", "disc", (28, 0.85, 0.9)),
    ShapeClass("red_ring", "ring", (0, 0.85, 0.85)),
    ShapeClass("blue_square", "square", (220, 0.75, 0.8)),
    ShapeClass("blue_hexagon", "hexagon", (220, 0.75, 0.8)),
    ShapeClass("green_triangle", "triangle", (120, 0.75, 0.7)),
    ShapeClass("teal_triangle", "triangle", (170, 0.75, 0.7)),
    ShapeClass("yellow_star", "star", (55, 0.85, 0.95)),
    ShapeClass("yellow_cross", "cross", (55, 0.85, 0.95)),
    ShapeClass("purple_crescent", "crescent", (285, 0.6, 0.75)),
)


def grid_classes(count):
    """`count` classes (up to 200 are distinct): class k is SHAPES[k % 10] in a hue stepped by the golden angle.

    Classes with the same shape and nearby hues are confusable, so more classes are harder,
    as with real data.
    """
    validation.check_integer("count", count, minimum=2, maximum=len(SHAPES) * 36)
    classes = []
    for index in range(count):
        hue = int(round((index // len(SHAPES)) * 137.508 + 15 * (index % len(SHAPES)))) % 360
        shape = SHAPES[index % len(SHAPES)]
        classes.append(ShapeClass(f"{shape}_{hue:03d}", shape, (hue, 0.8, 0.85)))
    names = [shape_class.name for shape_class in classes]
    if len(set(names)) != len(names):
        raise errors.InvalidArgumentError(f"Two classes got the same shape and hue. Received: count={count}")
    return tuple(classes)


def check_new_folder(output_dir):
    """Returns `output_dir` as a Path; refuses an existing file or non-empty folder (a stand-in is drawn whole)."""
    output_dir = pathlib.Path(output_dir)
    if output_dir.exists() and (not output_dir.is_dir() or any(output_dir.iterdir())):
        raise errors.InvalidArgumentError(
            f"`output_dir` must be a new (or empty) folder; delete it to draw again. Received: output_dir={str(output_dir)!r}"
        )
    return output_dir


def check_difficulty(difficulty):
    return validation.check_number("difficulty", difficulty, minimum=0, maximum=MAX_DIFFICULTY)


def draw_image(rng, shape_class, size, difficulty=DEFAULT_DIFFICULTY):
    """Returns one uint8 BGR image (size, size, 3) of `shape_class`, drawn with the generator `rng`."""
    image = _background(rng, size, difficulty)
    for _ in range(int(rng.poisson(0.8 + 2.5 * difficulty))):
        _draw_distractor(rng, image, size)
    radius = size * rng.uniform(0.34 - 0.1 * min(difficulty, 1.0), 0.42)
    spread = size * (0.04 + 0.12 * min(difficulty, 1.5))
    centre = (size / 2 + rng.uniform(-spread, spread), size / 2 + rng.uniform(-spread, spread))
    angle = rng.normal(0.0, 10.0 + 12.0 * difficulty)
    mask = _shape_mask(shape_class.shape, size, centre, radius, angle)
    colour = np.array(_bgr(_jitter(rng, shape_class.colour, difficulty)), np.float32)
    # A little texture on the object itself, so it is not a flat colour.
    shade = 1.0 + rng.normal(0, 0.06 * difficulty) * _low_frequency(rng, size, 3, channels=1)
    _composite(image, mask, colour * shade)
    if rng.random() < 0.35 * difficulty:
        _draw_occluder(rng, image, size)
    return _lighting(rng, image, difficulty)


def _bgr(colour):
    hue, saturation, value = colour
    red, green, blue = colorsys.hsv_to_rgb((hue % 360) / 360.0, min(max(saturation, 0), 1), min(max(value, 0), 1))
    return (blue * 255.0, green * 255.0, red * 255.0)


def _jitter(rng, colour, difficulty):
    hue, saturation, value = colour
    spread = 0.5 + difficulty
    return (
        hue + rng.normal(0, 5.0 * spread),
        saturation * (1 + rng.normal(0, 0.07 * spread)),
        value * (1 + rng.normal(0, 0.08 * spread)),
    )


def _random_colour(rng):
    return np.array(_bgr((rng.uniform(0, 360), rng.uniform(0.1, 0.9), rng.uniform(0.2, 0.95))), np.float32)


def _low_frequency(rng, size, cells, channels=3):
    """Smooth random values around 0 (size, size, channels): a few random cells, interpolated.

    Two small matrix products, not cv2.resize: OpenCV's thread pool made each 32x32 resize
    cost about 0.8 ms on a busy 2-core machine.
    """
    coarse = rng.normal(0, 1, size=(cells, cells, channels)).astype(np.float32)
    weights = _interpolation_weights(cells, size)
    # (channels, cells, cells) -> (channels, size, size) -> (size, size, channels)
    return (weights @ coarse.transpose(2, 0, 1) @ weights.T).transpose(1, 2, 0)


@functools.lru_cache(maxsize=None)
def _interpolation_weights(cells, size):
    """(size, cells) linear interpolation weights from `cells` evenly spread points to `size` pixels."""
    positions = np.linspace(0, cells - 1, size)
    weights = np.maximum(0.0, 1.0 - np.abs(positions[:, None] - np.arange(cells)[None, :]))
    return weights.astype(np.float32)


def _background(rng, size, difficulty):
    top, bottom = _random_colour(rng), _random_colour(rng)
    ramp = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, None, None]
    if rng.random() < 0.5:
        ramp = ramp.transpose(1, 0, 2)
    image = (1 - ramp) * top + ramp * bottom
    image = image + (15 + 25 * difficulty) * _low_frequency(rng, size, 4)
    if rng.random() < 0.3 * difficulty:
        # Stripes: a strong texture that is no class's.
        period = rng.uniform(3, 8) * size / 32
        direction = rng.uniform(0, math.pi)
        y, x = np.mgrid[0:size, 0:size].astype(np.float32)
        wave = np.sin((x * math.cos(direction) + y * math.sin(direction)) * 2 * math.pi / period)
        image = image + 25.0 * wave[..., None]
    return np.ascontiguousarray(image, dtype=np.float32)


def _draw_distractor(rng, image, size):
    shape = SHAPES[int(rng.integers(len(SHAPES)))]
    radius = size * rng.uniform(0.08, 0.2)
    centre = (rng.uniform(0, size), rng.uniform(0, size))
    mask = _shape_mask(shape, size, centre, radius, rng.uniform(0, 360)) * rng.uniform(0.5, 1.0)
    _composite(image, mask, _random_colour(rng))


def _draw_occluder(rng, image, size):
    mask = np.zeros((size, size), np.uint8)
    angle = rng.uniform(0, math.pi)
    length = size
    centre = (size / 2 + rng.uniform(-0.3, 0.3) * size, size / 2 + rng.uniform(-0.3, 0.3) * size)
    start = (centre[0] - length * math.cos(angle), centre[1] - length * math.sin(angle))
    end = (centre[0] + length * math.cos(angle), centre[1] + length * math.sin(angle))
    thickness = max(1, int(size * rng.uniform(0.05, 0.12)))
    cv2.line(mask, _fixed(start), _fixed(end), 255, thickness, cv2.LINE_AA, shift=_SHIFT)
    _composite(image, mask.astype(np.float32) / 255.0, _random_colour(rng))


def _composite(image, mask, colour):
    """Blends `colour` into `image` where `mask` covers it, touching only the mask's bounding box."""
    rows = np.flatnonzero(mask.any(axis=1))
    columns = np.flatnonzero(mask.any(axis=0))
    if not rows.size:
        return
    box = (slice(rows[0], rows[-1] + 1), slice(columns[0], columns[-1] + 1))
    alpha = mask[box][..., None]
    colour = colour[box] if np.ndim(colour) == 3 else colour
    image[box] = image[box] * (1.0 - alpha) + alpha * colour


def _lighting(rng, image, difficulty):
    contrast = rng.uniform(1.0 - 0.35 * min(difficulty, 1.5), 1.0 + 0.2 * difficulty)
    brightness = rng.uniform(-35, 35) * difficulty
    cast = 1.0 + rng.uniform(-0.15, 0.15, size=3).astype(np.float32) * difficulty
    image = ((image - 128.0) * contrast + 128.0 + brightness) * cast
    if rng.random() < 0.1 + 0.3 * difficulty:
        image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.5, 0.5 + 0.8 * difficulty))
    image = image + (2.0 + 9.0 * difficulty) * rng.standard_normal(image.shape, dtype=np.float32)
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


def _fixed(point):
    return (int(round(point[0] * (1 << _SHIFT))), int(round(point[1] * (1 << _SHIFT))))


def _polygon(points, centre, radius, angle):
    """Unit-circle polygon `points` (k, 2) rotated by `angle` degrees, scaled and moved: int32 fixed point."""
    theta = math.radians(angle)
    rotation = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    placed = points @ rotation.T * radius + np.asarray(centre)
    return np.round(placed * (1 << _SHIFT)).astype(np.int32)


def _regular(count, start=-90.0):
    angles = np.radians(start + np.arange(count) * 360.0 / count)
    return np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _star(points=5, inner=0.45):
    outer = _regular(points)
    between = _regular(points, start=-90.0 + 180.0 / points) * inner
    return np.stack([outer, between], axis=1).reshape(-1, 2)


_CROSS = np.array(
    [[-0.3, -1], [0.3, -1], [0.3, -0.3], [1, -0.3], [1, 0.3], [0.3, 0.3], [0.3, 1], [-0.3, 1],
     [-0.3, 0.3], [-1, 0.3], [-1, -0.3], [-0.3, -0.3]]
)
_OUTLINES = {
    "disc": [_regular(40)],
    "ring": [_regular(40), _regular(40)[::-1] * 0.55],
    "square": [_regular(4, start=-45.0) * 0.9],
    "diamond": [_regular(4, start=-90.0)],
    "triangle": [_regular(3) * 1.05 + np.array([0, 0.15])],
    "cross": [_CROSS * 0.85],
    "star": [_star()],
    "hexagon": [_regular(6, start=0.0) * 0.95],
    "bar": [np.array([[-1, -0.35], [1, -0.35], [1, 0.35], [-1, 0.35]])],
}


def _shape_mask(shape, size, centre, radius, angle):
    """A float32 (size, size) coverage mask in 0..1 of one shape."""
    mask = np.zeros((size, size), np.uint8)
    if shape == "crescent":
        # A disc with an offset disc cut out of it.
        cv2.fillPoly(mask, [_polygon(_regular(40), centre, radius, 0)], 255, cv2.LINE_AA, shift=_SHIFT)
        theta = math.radians(angle)
        offset = (centre[0] + 0.45 * radius * math.cos(theta), centre[1] + 0.45 * radius * math.sin(theta))
        cv2.fillPoly(mask, [_polygon(_regular(40), offset, 0.8 * radius, 0)], 0, cv2.LINE_AA, shift=_SHIFT)
    else:
        contours = [_polygon(points, centre, radius, angle) for points in _OUTLINES[shape]]
        cv2.fillPoly(mask, contours, 255, cv2.LINE_AA, shift=_SHIFT)
    return mask.astype(np.float32) / 255.0
