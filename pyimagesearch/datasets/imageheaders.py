"""The stored size of an image, read from its file header without decoding a pixel.

    width, height = imageheaders.stored_size(encoded)   # or None for a format it doesn't know

`imagefiles.read_image` uses it to refuse an image with too many pixels before OpenCV decodes
it at full size (a 1 MB PNG of 20000x20000 pixels would take 1.2 GB as BGR), and to pick a
reduced JPEG decode. It knows JPEG, PNG, BMP, WebP and TIFF: every format of
`imagefiles.IMAGE_EXTENSIONS`. A header it can't parse gives None, never an error: the
decoder then has the last word on whether the file is an image.
"""

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_TIFF_SIGNATURES = (b"II*\x00", b"MM\x00*")
# TIFF tags and field types: ImageWidth, ImageLength; SHORT, LONG.
_TIFF_WIDTH, _TIFF_HEIGHT = 256, 257
_TIFF_SHORT, _TIFF_LONG = 3, 4


def stored_size(data):
    """Returns (width, height) from the header of the encoded image `data` (bytes), or None."""
    data = bytes(data)
    if data[:2] == b"\xff\xd8":
        size = jpeg_size(data)
    elif data[:8] == _PNG_SIGNATURE:
        size = _png_size(data)
    elif data[:2] == b"BM":
        size = _bmp_size(data)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        size = _webp_size(data)
    elif data[:4] in _TIFF_SIGNATURES:
        size = _tiff_size(data)
    else:
        size = None
    if size is None or size[0] <= 0 or size[1] <= 0:
        return None
    return size


def jpeg_scan_start(data):
    """Returns the offset of the first JPEG start-of-scan marker (compressed data follows), or None."""
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


def jpeg_size(data):
    """Reads (width, height) from the first JPEG start-of-frame marker, or None."""
    position = 2
    while position + 9 < len(data):
        if data[position] != 0xFF:
            return None
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
    return None


def _png_size(data):
    """IHDR is the first chunk: length, b"IHDR", width and height (big-endian)."""
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _bmp_size(data):
    """The DIB header follows the 14-byte file header; its size says which layout it has."""
    if len(data) < 26:
        return None
    header_size = int.from_bytes(data[14:18], "little")
    if header_size == 12:  # BITMAPCOREHEADER: 16-bit sides
        return int.from_bytes(data[18:20], "little"), int.from_bytes(data[20:22], "little")
    width = int.from_bytes(data[18:22], "little", signed=True)
    height = int.from_bytes(data[22:26], "little", signed=True)
    return abs(width), abs(height)  # a negative height means rows stored top-down


def _webp_size(data):
    """The first chunk: lossy (VP8), lossless (VP8L) or extended (VP8X, the canvas size)."""
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        return int.from_bytes(data[26:28], "little") & 0x3FFF, int.from_bytes(data[28:30], "little") & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None


def _tiff_size(data):
    """ImageWidth and ImageLength of the first image file directory (the page OpenCV reads)."""
    order = "little" if data[:2] == b"II" else "big"
    offset = int.from_bytes(data[4:8], order)
    if offset + 2 > len(data):
        return None
    entries = int.from_bytes(data[offset : offset + 2], order)
    sides = {}
    for index in range(entries):
        entry = offset + 2 + 12 * index
        if entry + 12 > len(data):
            break
        tag = int.from_bytes(data[entry : entry + 2], order)
        field_type = int.from_bytes(data[entry + 2 : entry + 4], order)
        if tag in (_TIFF_WIDTH, _TIFF_HEIGHT) and field_type in (_TIFF_SHORT, _TIFF_LONG):
            width = 2 if field_type == _TIFF_SHORT else 4
            sides[tag] = int.from_bytes(data[entry + 8 : entry + 8 + width], order)
    if _TIFF_WIDTH not in sides or _TIFF_HEIGHT not in sides:
        return None
    return sides[_TIFF_WIDTH], sides[_TIFF_HEIGHT]
