"""Find image files in a folder, label them, and decode them into 8-bit, 3-channel BGR arrays.

Every path that reads images from disk (the in-memory loader, the HDF5 builder, feature
extraction) goes through `read_image`, so odd-but-valid files are converted the same way
everywhere and bad files fail with the same clear error. Before a byte is read, a path that
is not a regular file (a folder, a FIFO, a device) is refused, so a FIFO named `x.jpg` can't
block a build; before a pixel is decoded, an image larger than `max_pixels` is refused, so a
small file can't expand into gigabytes of memory.
"""

import os
import pathlib
import stat

import cv2
import numpy as np

from pyimagesearch.datasets import imageheaders
from pyimagesearch.utils import errors, validation

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
# The folder layouts `list_labelled_images` reads (see there).
LAYOUTS = ("auto", "folders", "flat")

# cv2 can decode a JPEG at 1/2, 1/4 or 1/8 size in the DCT domain, much faster than a full
# decode followed by a resize. Largest factor first.
_REDUCED_COLOR_FLAGS = (
    (8, cv2.IMREAD_REDUCED_COLOR_8),
    (4, cv2.IMREAD_REDUCED_COLOR_4),
    (2, cv2.IMREAD_REDUCED_COLOR_2),
)
_JPEG_MAGIC = b"\xff\xd8"
_JPEG_END = b"\xff\xd9"
# Pillow's default `Image.MAX_IMAGE_PIXELS` (1024**3 // 4 // 3): images with more pixels are
# refused as likely decompression bombs, unless a caller raises the limit.
MAX_IMAGE_PIXELS = 89_478_485


class ImageReadError(errors.UserError, ValueError):
    """An image file that can't be decoded. `path` names the file, `reason` says why."""

    def __init__(self, path, reason):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"Cannot read image {errors.display_path(path)}: {reason}")


def list_images(folder):
    """Returns the sorted paths (str) of image files below `folder`, by extension.

    Hidden files (macOS `._name.jpg` forks, dot-files) and non-images such as `Thumbs.db` are
    left out.
    """
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        raise errors.InvalidArgumentError(f"Expected a folder of images. Received: folder={str(folder)!r}")
    paths = []
    for root, directories, files in os.walk(folder):
        directories[:] = sorted(name for name in directories if not name.startswith("."))
        for name in files:
            if not name.startswith(".") and name.lower().endswith(IMAGE_EXTENSIONS):
                paths.append(os.path.join(root, name))
    return sorted(paths)


def list_labelled_images(folder, layout="auto"):
    """Returns (paths, labels) of the images under `folder`; labels are class names (str).

    Layouts:
    - "folders": one subfolder per class (`cat/1.jpg`); the label is the parent folder's name.
    - "flat": Kaggle's layout, all images in `folder` named `<label>.<anything>`
      (`cat.123.jpg`); the label is the part before the first dot.
    - "auto": "flat" when every image sits directly in `folder`, else "folders".
    """
    validation.check_choice("layout", layout, LAYOUTS)
    root = pathlib.Path(folder)
    paths = list_images(root)
    if not paths:
        raise errors.InvalidArgumentError(f"No image files under {root}. Received: folder={str(root)!r}")
    direct = [path for path in paths if pathlib.Path(path).parent == root]
    if layout == "auto":
        layout = "flat" if len(direct) == len(paths) else "folders"
    if layout == "folders":
        if direct:
            raise errors.InvalidArgumentError(
                f"{root} mixes images at its top level ({direct[0]}) with class folders; use one "
                f"layout. Received: {len(direct)} top-level images, layout='folders'"
            )
        return paths, [pathlib.Path(path).parent.name for path in paths]
    if len(direct) != len(paths):
        nested = next(path for path in paths if pathlib.Path(path).parent != root)
        raise errors.InvalidArgumentError(f"The flat layout expects every image directly in {root}. Received: {nested}")
    labels = []
    for path in paths:
        stem = pathlib.Path(path).stem
        if "." not in stem or not stem.split(".", 1)[0]:
            raise errors.InvalidArgumentError(
                f"In the flat layout file names must read <label>.<id>.<ext>, e.g. cat.123.jpg. Received: {path}"
            )
        labels.append(stem.split(".", 1)[0])
    return paths, labels


def skipped_lines(skipped):
    """One "path<TAB>reason" line per skipped (path, reason) pair, for a report file.

    The path is `errors.display_path`'s text, so a name that is not valid UTF-8 is written
    with `\\xNN` escapes instead of failing the write.
    """
    return [f"{errors.display_path(path)}\t{reason}" for path, reason in skipped]


def skipped_summary(skipped, total, listed_in=None):
    """The one line that says how many of `total` images were skipped, naming the first.

    `[INFO] skipped 2 of 80 images (first: a/x.jpg: the file is empty; listed in skipped.txt)`
    """
    details = []
    if skipped:
        path, reason = skipped[0]
        details.append(f"first: {errors.display_path(path)}: {reason}")
    if listed_in is not None:
        details.append(f"listed in {errors.display_path(listed_in)}")
    return f"[INFO] skipped {len(skipped)} of {total} images" + (f" ({'; '.join(details)})" if details else "")


def check_max_image_pixels(max_pixels):
    """Returns `max_pixels` as an int (a positive integer), or None (no limit)."""
    if max_pixels is None:
        return None
    return validation.check_positive_integer("max_image_pixels", max_pixels)


def read_image(path, target_size=None, max_pixels=MAX_IMAGE_PIXELS):
    """Decodes the image at `path` into a uint8 BGR array of shape (H, W, 3).

    - EXIF orientation is applied, so a rotated phone photo comes out upright.
    - Grayscale, CMYK and 16-bit images become 8-bit BGR; an alpha channel is composited over
      white, so transparent areas look the same whichever tool made the file.
    - `target_size=(width, height)` lets a JPEG be decoded at 1/2, 1/4 or 1/8 size when the
      image stays at least as large as the target on both sides; the caller still resizes.
    - `max_pixels` (default `MAX_IMAGE_PIXELS`, Pillow's; None: no limit) refuses an image
      whose width x height is larger, from the size in its header (JPEG, PNG, BMP, WebP,
      TIFF), before it is decoded. OpenCV keeps its own limit of 2**30 pixels
      (`OPENCV_IO_MAX_IMAGE_PIXELS`) whatever this one says.

    Raises `ImageReadError` for a path that is not a regular file, and for empty, truncated,
    too large or non-image files.
    """
    max_pixels = check_max_image_pixels(max_pixels)
    encoded = _read_bytes(path)
    _check_pixels(path, imageheaders.stored_size(encoded), max_pixels)
    if encoded[:2] == _JPEG_MAGIC:
        image = _decode_jpeg(path, encoded, target_size)
    else:
        # PNG, TIFF, WebP and BMP may carry 16 bits or alpha, which IMREAD_COLOR would drop
        # silently (transparent WebP areas would come out black instead of white).
        image = _decode_unchanged(path, encoded)
    # For a header the check above could not read; a reduced JPEG decode is never larger.
    _check_pixels(path, (image.shape[1], image.shape[0]), max_pixels)
    return image


def _check_pixels(path, size, max_pixels):
    if size is None or max_pixels is None:
        return
    width, height = size
    if width * height > max_pixels:
        raise ImageReadError(
            path,
            f"{width}x{height} is {width * height:,} pixels, over the limit of {max_pixels:,} "
            "(a guard against decompression bombs; raise max_image_pixels to read it)",
        )


def _read_bytes(path):
    """The file's bytes; a folder, FIFO, socket or device is refused before it is opened."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        raise ImageReadError(path, f"the file can't be opened ({error.strerror})") from error
    if not stat.S_ISREG(mode):
        raise ImageReadError(path, f"not a regular file ({_file_kind(mode)})")
    try:
        # O_NONBLOCK: should the path become a FIFO after the check, open() still returns at
        # once (it changes nothing for a regular file), and fstat refuses it.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(descriptor, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise ImageReadError(path, f"not a regular file ({_file_kind(mode)})")
            encoded = handle.read()
    except OSError as error:
        raise ImageReadError(path, f"the file can't be opened ({error.strerror})") from error
    if not encoded:
        raise ImageReadError(path, "the file is empty (0 bytes)")
    if encoded[:2] == _JPEG_MAGIC and not _has_jpeg_end(encoded):
        # libjpeg fills a truncated JPEG with grey and only warns; we treat it as corrupt.
        raise ImageReadError(path, "the JPEG is truncated (no end-of-image marker)")
    return encoded


def _has_jpeg_end(encoded):
    """True when an end-of-image marker follows the compressed data.

    The quick check looks at the last KiB. Some cameras append kilobytes of trailer data after
    the marker, so the slow check looks for the marker anywhere after the first start-of-scan
    (an EXIF thumbnail's own marker comes before it and must not count).
    """
    if _JPEG_END in encoded[-1024:]:
        return True
    scan_start = imageheaders.jpeg_scan_start(encoded)
    return scan_start is not None and encoded.find(_JPEG_END, scan_start) != -1


def _file_kind(mode):
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    return next((kind for test, kind in kinds if test(mode)), "not a file")


def _decode_jpeg(path, encoded, target_size):
    """IMREAD_COLOR applies EXIF orientation and turns grayscale and CMYK into BGR."""
    buffer = np.frombuffer(encoded, dtype=np.uint8)
    flag = _reduced_flag(encoded, target_size)
    image = cv2.imdecode(buffer, flag)
    if image is not None and flag != cv2.IMREAD_COLOR and _smaller_than(image, target_size):
        # The reduction was chosen on the stored size; an EXIF rotation by 90 degrees swaps
        # width and height afterwards, so the reduced image can miss the target. Decode again.
        image = cv2.imdecode(buffer, cv2.IMREAD_COLOR)
    if image is None:
        raise ImageReadError(path, "not a decodable image (corrupt JPEG data)")
    return image


def _smaller_than(image, target_size):
    target_width, target_height = target_size
    return image.shape[1] < target_width or image.shape[0] < target_height


def _reduced_flag(encoded, target_size):
    """Picks the largest JPEG reduction that keeps the image at least as big as the target."""
    if target_size is None:
        return cv2.IMREAD_COLOR
    size = imageheaders.jpeg_size(encoded)
    if size is None:
        return cv2.IMREAD_COLOR
    width, height = size
    target_width, target_height = target_size
    for factor, flag in _REDUCED_COLOR_FLAGS:
        # The reduced decode rounds sizes up, so `//` errs on the safe side.
        if width // factor >= target_width and height // factor >= target_height:
            return flag
    return cv2.IMREAD_COLOR


def _decode_unchanged(path, encoded):
    """Decodes every bit depth and channel count, then converts to 8-bit BGR."""
    image = cv2.imdecode(np.frombuffer(encoded, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ImageReadError(path, "not a decodable image (unknown format or corrupt data)")
    image = _to_uint8(path, image)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    channels = image.shape[2]
    if channels == 1:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if channels == 2:
        # Gray plus alpha: composite the gray, then expand to 3 channels.
        gray = _composite_over_white(image[..., :1], image[..., 1])
        return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    if channels == 3:
        return image
    if channels == 4:
        return _composite_over_white(image[..., :3], image[..., 3])
    raise ImageReadError(path, f"unsupported number of channels: {channels}")


def _to_uint8(path, image):
    if image.dtype == np.uint8:
        return image
    if image.dtype == np.uint16:
        return (image >> 8).astype(np.uint8)
    if np.issubdtype(image.dtype, np.floating):
        return np.clip(image * 255.0, 0, 255).astype(np.uint8)
    raise ImageReadError(path, f"unsupported pixel type: {image.dtype}")


def _composite_over_white(color, alpha):
    alpha = alpha.astype(np.float32)[..., None] / 255.0
    blended = color.astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
    result = np.round(blended).astype(np.uint8)
    return result if result.shape[-1] != 1 else result[..., 0]
