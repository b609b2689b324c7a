"""Find image files in a folder, label them, and decode them into 8-bit, 3-channel BGR arrays.

Every path that reads images from disk (the in-memory loader, the HDF5 builder, feature
extraction) goes through `read_image`, so odd-but-valid files are converted the same way
everywhere and bad files fail with the same clear error.
"""

import os
import pathlib

import cv2
import numpy as np

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


class ImageReadError(errors.UserError, ValueError):
    """An image file that can't be decoded. `path` names the file, `reason` says why."""

    def __init__(self, path, reason):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"Cannot read image {self.path}: {reason}")


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


def read_image(path, target_size=None):
    """Decodes the image at `path` into a uint8 BGR array of shape (H, W, 3).

    - EXIF orientation is applied, so a rotated phone photo comes out upright.
    - Grayscale, CMYK and 16-bit images become 8-bit BGR; an alpha channel is composited over
      white, so transparent areas look the same whichever tool made the file.
    - `target_size=(width, height)` lets a JPEG be decoded at 1/2, 1/4 or 1/8 size when the
      image stays at least as large as the target on both sides; the caller still resizes.

    Raises `ImageReadError` for empty, truncated or non-image files.
    """
    encoded = _read_bytes(path)
    if encoded[:2] == _JPEG_MAGIC:
        return _decode_jpeg(path, encoded, target_size)
    # PNG, TIFF, WebP and BMP may carry 16 bits or alpha, which IMREAD_COLOR would drop
    # silently (transparent WebP areas would come out black instead of white).
    return _decode_unchanged(path, encoded)


def _read_bytes(path):
    try:
        with open(path, "rb") as handle:
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
    scan_start = _jpeg_scan_start(encoded)
    return scan_start is not None and encoded.find(_JPEG_END, scan_start) != -1


def _decode_jpeg(path, encoded, target_size):
    """IMREAD_COLOR applies EXIF orientation and turns grayscale and CMYK into BGR."""
    buffer = np.frombuffer(encoded, dtype=np.uint8)
    flag = _reduced_flag(buffer, target_size)
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


def _reduced_flag(buffer, target_size):
    """Picks the largest JPEG reduction that keeps the image at least as big as the target."""
    if target_size is None:
        return cv2.IMREAD_COLOR
    width, height = _jpeg_size(buffer)
    if width is None:
        return cv2.IMREAD_COLOR
    target_width, target_height = target_size
    for factor, flag in _REDUCED_COLOR_FLAGS:
        # The reduced decode rounds sizes up, so `//` errs on the safe side.
        if width // factor >= target_width and height // factor >= target_height:
            return flag
    return cv2.IMREAD_COLOR


def _jpeg_scan_start(data):
    """Returns the offset of the first start-of-scan marker (compressed data follows), or None."""
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:
            # Fill bytes may pad the space between segments.
            position += 1
            continue
        if marker == 0xDA:
            return position
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            position += 2
            continue
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
    return None


def _jpeg_size(buffer):
    """Reads (width, height) from the first JPEG start-of-frame marker, or (None, None)."""
    data = buffer.tobytes()
    position = 2
    while position + 9 < len(data):
        if data[position] != 0xFF:
            return None, None
        marker = data[position + 1]
        if marker == 0xFF:
            position += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            position += 2
            continue
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        # SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height = int.from_bytes(data[position + 5 : position + 7], "big")
            width = int.from_bytes(data[position + 7 : position + 9], "big")
            return width, height
        position += 2 + length
    return None, None


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
