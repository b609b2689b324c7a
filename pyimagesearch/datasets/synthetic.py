"""A generated, offline stand-in for Flowers-17: 17 classes of procedurally drawn flowers.

The real Flowers-17 needs a download. This module draws a data set with the same layout
(17 class folders x 80 JPEGs of about 500x375) so every experiment runs offline, and so the
course's lessons still show: the classes differ by petal count, petal shape, colours and
centre, while pose, scale, position, background, lighting and occlusion vary within a
class. Some pairs of classes are deliberately confusable (same petal count and similar
colour, differing only in petal shape or centre size), so a small network does not score
100% and augmentation has something to fix. Every folder name starts with `synthetic_`,
so the images can't be mistaken for real photographs.

The images are deterministic: image i of class c depends only on (seed, c, i), not on the
order or the process that draws it.
"""

import colorsys
import dataclasses
import math
import os
import pathlib

import cv2
import numpy as np
import progressbar

from pyimagesearch.utils import atomic, errors, validation

# How hard the images are: 0 gives clean, centred, evenly lit flowers; 1 gives strong pose,
# scale, lighting and colour changes, clutter and occluders. Values up to 2 are accepted.
# Calibration at 0.6 (MiniVGGNet 64x64, stratified 75/25 split, SGD lr 0.05, batch 32, one
# seed, 21 epochs): test accuracy 0.69 without augmentation (train 0.99: it overfits) and
# 0.74 with flips/rotation/zoom/shift (best epoch 0.79, still rising). Most errors are the
# designed confusable pairs. Real Flowers-17 reports 0.57-0.64 and 0.67-0.71.
DEFAULT_DIFFICULTY = 0.6
MAX_DIFFICULTY = 2.0
CLASS_PREFIX = "synthetic_"
# Image sizes vary around Flowers-17's typical 500x375 (landscape) or 375x500 (portrait).
LANDSCAPE_WIDTHS = (440, 560)
LANDSCAPE_HEIGHTS = (330, 420)
PORTRAIT_PROBABILITY = 0.2


@dataclasses.dataclass(frozen=True)
class FlowerClass:
    """What makes one synthetic class: the petals, their colours and the centre.

    Colours are (hue in degrees, saturation 0..1, value 0..1). `tip_colour` makes two-tone
    petals (None: one colour). `petal_length` and `petal_width` are fractions of the flower
    radius. `centre_size` is the centre's radius as a fraction of the flower radius.
    """

    name: str
    petals: int
    shape: str
    petal_colour: tuple
    centre_colour: tuple
    centre_size: float
    petal_length: float = 0.85
    petal_width: float = 0.32
    tip_colour: tuple = None
    centre_style: str = "disc"
    layers: int = 1
    spots: bool = False


# The confusable pairs: yellow round5/pointed5 (petal shape), white daisy big/small eye
# (centre size), purple/violet oval6 (a small hue shift), red/pink heart5 (hue and value),
# orange spoon8 / gold thin21 (both sunflower-like, big brown centre).
FLOWER_CLASSES = (
    FlowerClass("yellow_round5", 5, "round", (52, 0.85, 0.95), (25, 0.9, 0.75), 0.18, petal_width=0.45),
    FlowerClass("yellow_pointed5", 5, "pointed", (50, 0.85, 0.95), (25, 0.9, 0.75), 0.18, petal_width=0.38),
    FlowerClass("white_daisy_bigeye", 13, "thin", (60, 0.05, 0.97), (48, 0.95, 0.9), 0.34, petal_width=0.14),
    FlowerClass("white_daisy_smalleye", 13, "thin", (60, 0.05, 0.97), (48, 0.95, 0.9), 0.17, petal_width=0.14),
    FlowerClass("purple_oval6", 6, "ellipse", (285, 0.65, 0.7), (55, 0.8, 0.9), 0.14),
    FlowerClass("violet_oval6", 6, "ellipse", (262, 0.6, 0.75), (55, 0.8, 0.9), 0.14),
    FlowerClass("red_heart5", 5, "notched", (355, 0.85, 0.8), (20, 0.7, 0.25), 0.16, petal_width=0.42),
    FlowerClass("pink_heart5", 5, "notched", (335, 0.5, 0.95), (20, 0.7, 0.25), 0.16, petal_width=0.42),
    FlowerClass("orange_spoon8", 8, "spoon", (30, 0.9, 0.95), (25, 0.8, 0.3), 0.36, centre_style="dotted"),
    FlowerClass("gold_thin21", 21, "thin", (45, 0.9, 0.95), (25, 0.8, 0.3), 0.4, petal_width=0.12,
                centre_style="dotted"),
    FlowerClass("blue_star4", 4, "pointed", (215, 0.75, 0.85), (0, 0.0, 0.98), 0.2, petal_width=0.36),
    FlowerClass("pink_double8", 8, "round", (340, 0.35, 0.97), (50, 0.85, 0.9), 0.15, layers=2,
                petal_width=0.36),
    FlowerClass("orange_spotted6", 6, "pointed", (20, 0.9, 0.95), (100, 0.6, 0.5), 0.1, petal_width=0.3,
                spots=True),
    FlowerClass("white_pointed6", 6, "pointed", (90, 0.06, 0.96), (95, 0.7, 0.6), 0.12, petal_width=0.3),
    FlowerClass("pansy_blotch5", 5, "round", (270, 0.6, 0.65), (270, 0.7, 0.12), 0.3, petal_width=0.5,
                tip_colour=(55, 0.75, 0.95)),
    FlowerClass("trumpet6", 6, "ellipse", (56, 0.45, 0.97), (30, 0.9, 0.95), 0.32, centre_style="ring"),
    FlowerClass("lilac_thin10", 10, "thin", (290, 0.3, 0.9), (50, 0.85, 0.85), 0.16, petal_width=0.16),
)


def generate_synthetic_flowers17(
    output_dir, seed=42, images_per_class=80, difficulty=DEFAULT_DIFFICULTY, workers=1, verbose=True
):
    """Draws the synthetic Flowers-17 stand-in into the new folder `output_dir`.

    Writes `output_dir/synthetic_<name>/image_0001.jpg ...`: 17 class folders of
    `images_per_class` JPEGs, numbered like arranged Flowers-17 (image k of the whole set
    belongs to class (k - 1) // images_per_class). The same seed and difficulty give
    byte-identical files. The images are drawn into a temporary sibling folder that replaces
    `output_dir` only when all are written. `workers > 1` draws in that many processes.

    Returns `output_dir` as a pathlib.Path.
    """
    output_dir = _check_arguments(output_dir, seed, images_per_class, difficulty, workers)
    jobs = [
        (seed, class_index, image_index, images_per_class, difficulty)
        for class_index in range(len(FLOWER_CLASSES))
        for image_index in range(images_per_class)
    ]
    with atomic.atomic_output_path(output_dir) as temporary_dir:
        for flower in FLOWER_CLASSES:
            (temporary_dir / (CLASS_PREFIX + flower.name)).mkdir(parents=True)
        for relative_path, encoded in _run_jobs(jobs, workers, verbose):
            (temporary_dir / relative_path).write_bytes(encoded)
    return output_dir


def class_names():
    """Returns the 17 class folder names in class-index order (not sorted order)."""
    return [CLASS_PREFIX + flower.name for flower in FLOWER_CLASSES]


def draw_flower_image(seed, class_index, image_index, difficulty=DEFAULT_DIFFICULTY):
    """Returns one synthetic image (uint8 BGR, about 500x375) of class `class_index`."""
    rng = np.random.default_rng([seed, class_index, image_index])
    flower = FLOWER_CLASSES[class_index]
    height, width = _image_size(rng)
    image = _background(rng, height, width, difficulty)
    for centre, radius in _flower_places(rng, height, width, difficulty):
        _draw_stem(rng, image, centre, radius)
        _draw_flower(rng, image, flower, centre, radius, difficulty)
    _draw_occluders(rng, image, difficulty)
    return _lighting(rng, image, difficulty)


def _check_arguments(output_dir, seed, images_per_class, difficulty, workers):
    output_dir = pathlib.Path(output_dir)
    if output_dir.exists() and (not output_dir.is_dir() or any(output_dir.iterdir())):
        raise errors.InvalidArgumentError(
            "`output_dir` must be a new (or empty) folder; delete it to draw again. "
            f"Received: output_dir={str(output_dir)!r}"
        )
    # Not `check_seed`, which lets None through: every image is drawn from the seed.
    validation.check_integer("seed", seed, minimum=0)
    validation.check_positive_integer("images_per_class", images_per_class)
    validation.check_number("difficulty", difficulty, minimum=0, maximum=MAX_DIFFICULTY)
    validation.check_positive_integer("workers", workers)
    return output_dir


def _run_jobs(jobs, workers, verbose):
    bar = progressbar.ProgressBar(max_value=len(jobs), prefix="synthetic flowers: ") if verbose else None
    if workers == 1:
        results = map(_encode_job, jobs)
        pool = None
    else:
        import multiprocessing

        # "spawn": the caller may have started TensorFlow threads, which fork would copy.
        pool = multiprocessing.get_context("spawn").Pool(workers)
        results = pool.imap(_encode_job, jobs, chunksize=8)
    try:
        for done, result in enumerate(results, start=1):
            yield result
            if bar is not None:
                bar.update(done)
    finally:
        if pool is not None:
            pool.terminate()
    if bar is not None:
        bar.finish()


def _encode_job(job):
    seed, class_index, image_index, images_per_class, difficulty = job
    image = draw_flower_image(seed, class_index, image_index, difficulty)
    quality = int(np.random.default_rng([seed, class_index, image_index, 1]).integers(80, 96))
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError(f"OpenCV could not encode synthetic image {class_index}/{image_index}")
    number = class_index * images_per_class + image_index + 1
    relative_path = os.path.join(CLASS_PREFIX + FLOWER_CLASSES[class_index].name, f"image_{number:04d}.jpg")
    return relative_path, encoded.tobytes()


# ---------------------------------------------------------------------------------------
# Drawing. Every helper takes the image's own generator `rng`, so the result depends only
# on (seed, class, image).


def _bgr(colour):
    hue, saturation, value = colour
    red, green, blue = colorsys.hsv_to_rgb((hue % 360) / 360.0, min(max(saturation, 0), 1), min(max(value, 0), 1))
    return (float(blue * 255), float(green * 255), float(red * 255))


def _jitter(rng, colour, difficulty, hue_degrees=5.0):
    hue, saturation, value = colour
    spread = 0.4 + difficulty
    return (
        hue + rng.normal(0, hue_degrees * spread),
        saturation * (1 + rng.normal(0, 0.08 * spread)),
        value * (1 + rng.normal(0, 0.08 * spread)),
    )


def _image_size(rng):
    width = int(rng.integers(*LANDSCAPE_WIDTHS, endpoint=True))
    height = int(rng.integers(*LANDSCAPE_HEIGHTS, endpoint=True))
    if rng.random() < PORTRAIT_PROBABILITY:
        width, height = height, width
    return height, width


def _background(rng, height, width, difficulty):
    """A blurred scene: a two-colour gradient, low-frequency texture, grass, leaves, bokeh.

    It is drawn at half size and scaled up: it gets blurred anyway, and that is 4x cheaper.
    """
    small_height, small_width = (height + 1) // 2, (width + 1) // 2
    top = _bgr((rng.uniform(60, 220), rng.uniform(0.2, 0.8), rng.uniform(0.25, 0.9)))
    bottom = _bgr((rng.uniform(70, 150), rng.uniform(0.4, 0.9), rng.uniform(0.15, 0.6)))
    ramp = np.linspace(0.0, 1.0, small_height, dtype=np.float32)[:, None, None]
    image = (1 - ramp) * np.array(top, np.float32) + ramp * np.array(bottom, np.float32)
    texture = rng.normal(0, 25 + 20 * difficulty, size=(6, 8, 3)).astype(np.float32)
    image = image + cv2.resize(texture, (small_width, small_height), interpolation=cv2.INTER_LINEAR)
    image = np.clip(image, 0, 255).astype(np.uint8)
    _draw_grass(rng, image, int(30 + 120 * difficulty), scale=0.5)
    _draw_leaves(rng, image, int(rng.integers(2, 6 + 10 * difficulty)), scale=0.5)
    _draw_bokeh(rng, image, int(rng.integers(0, 3 + 8 * difficulty)), scale=0.5)
    image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.75, 2.0))
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)


def _draw_grass(rng, image, count, scale=1.0):
    height, width = image.shape[:2]
    # Draw all random numbers at once: a Python loop of small draws dominated the time.
    x = rng.integers(0, width, size=count)
    y = rng.integers(height // 3, height, size=count)
    length = rng.uniform(20, 90, size=count) * scale
    angle = np.radians(rng.uniform(-120, -60, size=count))
    end_x = (x + length * np.cos(angle)).astype(int)
    end_y = (y + length * np.sin(angle)).astype(int)
    hues = rng.uniform(75, 140, size=count)
    saturations = rng.uniform(0.4, 0.9, size=count)
    values = rng.uniform(0.2, 0.8, size=count)
    thicknesses = np.maximum(1, (rng.integers(1, 4, size=count) * scale).astype(int))
    for index in range(count):
        colour = _bgr((hues[index], saturations[index], values[index]))
        start = (int(x[index]), int(y[index]))
        end = (int(end_x[index]), int(end_y[index]))
        cv2.line(image, start, end, colour, int(thicknesses[index]), cv2.LINE_AA)


def _draw_leaves(rng, image, count, scale=1.0):
    height, width = image.shape[:2]
    for _ in range(count):
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        axes = (int(rng.uniform(20, 70) * scale), int(rng.uniform(8, 25) * scale))
        colour = _bgr((rng.uniform(80, 150), rng.uniform(0.5, 0.95), rng.uniform(0.2, 0.75)))
        cv2.ellipse(image, centre, axes, rng.uniform(0, 180), 0, 360, colour, -1, cv2.LINE_AA)


def _draw_bokeh(rng, image, count, scale=1.0):
    """Out-of-focus spots of colour, some of them flower-like colours, to distract."""
    height, width = image.shape[:2]
    for _ in range(count):
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        colour = _bgr((rng.uniform(0, 360), rng.uniform(0.1, 0.8), rng.uniform(0.5, 1.0)))
        cv2.circle(image, centre, int(rng.uniform(6, 30) * scale), colour, -1, cv2.LINE_AA)


def _flower_places(rng, height, width, difficulty):
    """(centre, radius) of each flower: usually one, sometimes two or three smaller ones."""
    side = min(height, width)
    count = 1 if rng.random() < 0.7 else int(rng.integers(2, 4))
    low = max(0.16, 0.36 - 0.14 * difficulty)
    high = 0.46 - 0.04 * difficulty
    places = []
    for index in range(count):
        fraction = rng.uniform(low, high) * (1.0 if index == 0 else rng.uniform(0.5, 0.8))
        if count > 1:
            fraction *= 0.8
        radius = fraction * side
        spread = 0.12 + 0.2 * difficulty
        centre = (
            width / 2 + rng.uniform(-spread, spread) * width,
            height / 2 + rng.uniform(-spread, spread) * height,
        )
        places.append((centre, radius))
    # The largest flower last, so it is on top.
    return sorted(places, key=lambda place: place[1])


def _draw_stem(rng, image, centre, radius):
    height = image.shape[0]
    bottom = (int(centre[0] + rng.uniform(-0.5, 0.5) * radius), height + 10)
    colour = _bgr((rng.uniform(90, 130), rng.uniform(0.5, 0.9), rng.uniform(0.3, 0.6)))
    thickness = max(2, int(radius * rng.uniform(0.04, 0.08)))
    cv2.line(image, (int(centre[0]), int(centre[1])), bottom, colour, thickness, cv2.LINE_AA)


def _pose_matrix(rng, difficulty):
    """A 2x2 map: a random rotation, and a squash along a random axis (the flower tilted)."""
    squash = rng.uniform(max(0.45, 1.0 - 0.45 * difficulty), 1.0)
    axis = rng.uniform(0, math.pi)
    rotation = rng.uniform(0, 2 * math.pi)

    def rotate(angle):
        return np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])

    return rotate(axis) @ np.diag([1.0, squash]) @ rotate(rotation - axis)


def _petal_outline(shape, length, width, points=14):
    """The petal outline in local coordinates: base at x=0, tip at x=length, along +x."""
    t = np.linspace(0.0, 1.0, points)
    if shape == "round":
        half = np.sqrt(np.clip(np.sin(np.pi * t), 0, None)) * 0.9
    elif shape == "pointed":
        half = np.power(t, 0.5) * np.power(1 - t, 1.1) * 2.6
    elif shape == "spoon":
        half = np.power(t, 1.3) * np.power(1 - t, 0.35) * 1.9
    elif shape == "notched":
        t = t * 0.94
        half = np.power(np.sin(np.pi * t * 0.56), 0.8)
    else:  # "ellipse" and "thin": the width makes the difference
        half = np.sin(np.pi * t)
    x = t * length
    y = half * width
    upper = np.stack([x, y], axis=1)
    lower = np.stack([x, -y], axis=1)[::-1]
    if shape == "notched":
        notch = np.array([[length * 0.8, 0.0]])
        return np.concatenate([upper, notch, lower])
    return np.concatenate([upper, lower])


def _draw_flower(rng, image, flower, centre, radius, difficulty):
    pose = _pose_matrix(rng, difficulty)
    centre = np.array(centre)
    petal_colour = _jitter(rng, flower.petal_colour, difficulty)
    tip_colour = None if flower.tip_colour is None else _jitter(rng, flower.tip_colour, difficulty)
    centre_colour = _jitter(rng, flower.centre_colour, difficulty)
    length = radius * flower.petal_length * rng.uniform(0.9, 1.1)
    width = radius * flower.petal_width * rng.uniform(0.9, 1.1)
    for layer in range(flower.layers):
        scale = 1.0 if layer == 0 else 0.62
        offset = 0.0 if layer == 0 else math.pi / flower.petals
        shade = 1.0 if layer == 0 else 1.08
        layer_colour = (petal_colour[0], petal_colour[1], petal_colour[2] * shade)
        for index in range(flower.petals):
            angle = offset + 2 * math.pi * index / flower.petals + rng.normal(0, 0.04)
            _draw_petal(rng, image, flower, pose, centre, angle, length * scale, width * scale,
                        radius, layer_colour, tip_colour, difficulty)
    _draw_centre(rng, image, flower, pose, centre, radius, centre_colour)


def _draw_petal(rng, image, flower, pose, centre, angle, length, width, radius, colour, tip_colour, difficulty):
    outline = _petal_outline(flower.shape, length * rng.uniform(0.93, 1.07), width)
    base = radius * flower.centre_size * 0.5
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])

    def place(points):
        moved = (points + [base, 0.0]) @ rotation.T @ pose.T + centre
        return np.round(moved * 16).astype(np.int32)  # 4 fractional bits for smooth edges

    petal_colour = _jitter(rng, colour, difficulty * 0.3, hue_degrees=2.0)
    cv2.fillPoly(image, [place(outline)], _bgr(petal_colour), cv2.LINE_AA, shift=4)
    if tip_colour is not None:
        # The inner part in the main colour, the outer part in the tip colour.
        cv2.fillPoly(image, [place(outline)], _bgr(tip_colour), cv2.LINE_AA, shift=4)
        inner = outline.copy()
        inner[:, 0] *= 0.55
        cv2.fillPoly(image, [place(inner)], _bgr(petal_colour), cv2.LINE_AA, shift=4)
    darker = (petal_colour[0], petal_colour[1], petal_colour[2] * 0.7)
    cv2.polylines(image, [place(outline)], True, _bgr(darker), 1, cv2.LINE_AA, shift=4)
    vein = np.array([[length * 0.05, 0.0], [length * 0.7, 0.0]])
    cv2.polylines(image, [place(vein)], False, _bgr(darker), 1, cv2.LINE_AA, shift=4)
    if flower.spots:
        for _ in range(int(rng.integers(3, 7))):
            spot = np.array([[rng.uniform(0.15, 0.75) * length, rng.uniform(-0.3, 0.3) * width]])
            x, y = place(spot)[0]
            cv2.circle(image, (int(x), int(y)), 2 * 16, _bgr((10, 0.8, 0.2)), -1, cv2.LINE_AA, shift=4)


def _draw_centre(rng, image, flower, pose, centre, radius, colour):
    circle = np.stack(
        [np.cos(np.linspace(0, 2 * math.pi, 40)), np.sin(np.linspace(0, 2 * math.pi, 40))], axis=1
    )
    centre_radius = radius * flower.centre_size * rng.uniform(0.9, 1.1)

    def place(points):
        return np.round((points @ pose.T + centre) * 16).astype(np.int32)

    cv2.fillPoly(image, [place(circle * centre_radius)], _bgr(colour), cv2.LINE_AA, shift=4)
    darker = _bgr((colour[0], colour[1], colour[2] * 0.6))
    if flower.centre_style == "dotted":
        for _ in range(int(25 * flower.centre_size / 0.3)):
            distance = math.sqrt(rng.random()) * centre_radius * 0.9
            direction = rng.uniform(0, 2 * math.pi)
            point = np.array([[distance * math.cos(direction), distance * math.sin(direction)]])
            x, y = place(point)[0]
            cv2.circle(image, (int(x), int(y)), int(max(1.0, centre_radius * 0.07) * 16), darker, -1,
                       cv2.LINE_AA, shift=4)
    elif flower.centre_style == "ring":
        cv2.polylines(image, [place(circle * centre_radius * 0.95)], True, darker, 3, cv2.LINE_AA, shift=4)
        cv2.fillPoly(image, [place(circle * centre_radius * 0.35)], darker, cv2.LINE_AA, shift=4)
    lighter = _bgr((colour[0], colour[1] * 0.7, min(1.0, colour[2] * 1.2)))
    highlight = place(np.array([[-0.3, -0.3]]) * centre_radius)[0]
    cv2.circle(image, (int(highlight[0]), int(highlight[1])), int(max(1.0, centre_radius * 0.2) * 16),
               lighter, -1, cv2.LINE_AA, shift=4)


def _draw_occluders(rng, image, difficulty):
    """Leaves, stems and blobs in front of the flowers."""
    height, width = image.shape[:2]
    count = int(rng.poisson(0.5 + 2.5 * difficulty))
    for _ in range(count):
        centre = (int(width * rng.uniform(0.2, 0.8)), int(height * rng.uniform(0.2, 0.8)))
        kind = rng.random()
        if kind < 0.45:
            axes = (int(rng.uniform(25, 70)), int(rng.uniform(10, 25)))
            colour = _bgr((rng.uniform(80, 150), rng.uniform(0.5, 0.95), rng.uniform(0.2, 0.7)))
            cv2.ellipse(image, centre, axes, rng.uniform(0, 180), 0, 360, colour, -1, cv2.LINE_AA)
        elif kind < 0.8:
            angle = rng.uniform(0, math.pi)
            length = rng.uniform(0.3, 0.8) * max(height, width)
            start = (int(centre[0] - length * math.cos(angle)), int(centre[1] - length * math.sin(angle)))
            end = (int(centre[0] + length * math.cos(angle)), int(centre[1] + length * math.sin(angle)))
            colour = _bgr((rng.uniform(80, 130), rng.uniform(0.5, 0.9), rng.uniform(0.25, 0.6)))
            cv2.line(image, start, end, colour, int(rng.integers(3, 9)), cv2.LINE_AA)
        else:
            colour = _bgr((rng.uniform(0, 360), rng.uniform(0.0, 0.6), rng.uniform(0.2, 0.9)))
            cv2.circle(image, centre, int(rng.uniform(10, 35)), colour, -1, cv2.LINE_AA)


def _lighting(rng, image, difficulty):
    """Brightness, contrast, a colour cast, sensor noise and sometimes defocus blur."""
    contrast = rng.uniform(1.0 - 0.35 * difficulty, 1.0 + 0.25 * difficulty)
    brightness = rng.uniform(-40, 40) * difficulty
    cast = 1.0 + rng.uniform(-0.18, 0.18, size=3) * difficulty
    # One pass: (pixel - 128) * contrast + 128 + brightness, then the per-channel cast.
    # cv2.transform does it ~20x faster than NumPy broadcasting over a last axis of 3.
    matrix = np.zeros((3, 4), np.float32)
    matrix[:, :3] = np.diag(contrast * cast)
    matrix[:, 3] = (128.0 * (1.0 - contrast) + brightness) * cast
    result = cv2.transform(image.astype(np.float32), matrix)
    if rng.random() < 0.15 + 0.4 * difficulty:
        result = cv2.GaussianBlur(result, (0, 0), rng.uniform(0.8, 0.8 + 2.0 * difficulty))
    # Uniform noise from random bytes: as good as Gaussian here, and ~20x cheaper to draw.
    noise_sigma = rng.uniform(0.0, 3.0 + 9.0 * difficulty)
    noise = np.frombuffer(rng.bytes(result.size), dtype=np.uint8).reshape(result.shape)
    half_range = noise_sigma * math.sqrt(3.0)  # a uniform(-a, a) has sigma a / sqrt(3)
    result = cv2.addWeighted(noise.astype(np.float32), half_range / 127.5, result, 1.0, 0.5 - half_range)
    return np.clip(result, 0, 255).astype(np.uint8)
