"""Listing finds and labels image files; read_image turns odd-but-valid ones into upright uint8 BGR,
and refuses broken ones clearly.

Pillow (installed with matplotlib) writes the test files that OpenCV can't: EXIF tags and
CMYK JPEGs. The package itself never imports Pillow.
"""

import time

import cv2
import numpy as np
import pytest
from PIL import Image
from PIL import ImageOps

from pyimagesearch.datasets import imagefiles, imageheaders
from tests import imagetesting

EXIF_ORIENTATION_TAG = 0x0112


def _save_with_orientation(path, rgb, orientation):
    exif = Image.Exif()
    exif[EXIF_ORIENTATION_TAG] = orientation
    Image.fromarray(rgb).save(path, exif=exif.tobytes(), quality=95)


def _two_colour_rgb(height, width):
    """Top half red, bottom half blue: any rotation or flip shows."""
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[: height // 2] = (255, 0, 0)
    rgb[height // 2 :] = (0, 0, 255)
    return rgb


def test_list_images_is_sorted_recursive_and_skips_hidden_and_non_images(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "deeper").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    for relative in ("b/2.jpg", "a/1.PNG", "a/deeper/3.jpeg", "a/x.webp"):
        (tmp_path / relative).write_bytes(b"x")
    for relative in ("a/._1.jpg", "a/Thumbs.db", "a/notes.txt", ".hidden/4.jpg"):
        (tmp_path / relative).write_bytes(b"x")

    paths = imagefiles.list_images(tmp_path)

    expected = [tmp_path / "a" / "1.PNG", tmp_path / "a" / "deeper" / "3.jpeg", tmp_path / "a" / "x.webp",
                tmp_path / "b" / "2.jpg"]
    assert paths == sorted(str(path) for path in expected)
    assert all(isinstance(path, str) for path in paths)


def test_list_images_rejects_a_missing_folder(tmp_path):
    with pytest.raises(ValueError, match=r"Received: folder="):
        imagefiles.list_images(tmp_path / "missing")


def _write_jpeg(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.full((30, 40, 3), 128, np.uint8))


def test_list_labelled_images_reads_class_folders_and_the_flat_layout(tmp_path):
    for name in ("cat", "dog"):
        for index in range(2):
            _write_jpeg(tmp_path / "folders" / name / f"{index}.jpg")
            _write_jpeg(tmp_path / "flat" / f"{name}.{index}.jpg")
    for layout in ("auto", "folders"):
        paths, labels = imagefiles.list_labelled_images(tmp_path / "folders", layout=layout)
        assert paths == imagefiles.list_images(tmp_path / "folders")
        assert labels == ["cat", "cat", "dog", "dog"]
    for layout in ("auto", "flat"):
        paths, labels = imagefiles.list_labelled_images(tmp_path / "flat", layout=layout)
        assert paths == imagefiles.list_images(tmp_path / "flat")
        assert labels == ["cat", "cat", "dog", "dog"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"No image files.*Received: folder="):
        imagefiles.list_labelled_images(tmp_path / "empty")


def test_layout_errors_name_the_problem(tmp_path):
    _write_jpeg(tmp_path / "mixed" / "cat" / "1.jpg")
    _write_jpeg(tmp_path / "mixed" / "loose.jpg")
    with pytest.raises(ValueError, match="mixes images"):
        imagefiles.list_labelled_images(tmp_path / "mixed")
    _write_jpeg(tmp_path / "flat" / "123.jpg")
    with pytest.raises(ValueError, match=r"<label>.<id>.<ext>.*Received: .*123.jpg"):
        imagefiles.list_labelled_images(tmp_path / "flat")
    with pytest.raises(ValueError, match="Received: layout='kaggle'"):
        imagefiles.list_labelled_images(tmp_path / "flat", layout="kaggle")


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_rotated_jpeg_comes_out_upright(tmp_path, orientation):
    path = tmp_path / f"rotated{orientation}.jpg"
    _save_with_orientation(path, _two_colour_rgb(20, 40), orientation)
    upright = np.asarray(ImageOps.exif_transpose(Image.open(path)))

    image = imagefiles.read_image(path)

    assert image.dtype == np.uint8
    assert image.shape == upright.shape
    difference = np.abs(image[..., ::-1].astype(int) - upright.astype(int)).mean()
    assert difference < 8


def test_reduced_decode_of_a_rotated_jpeg_never_gets_smaller_than_the_target(tmp_path):
    # Stored 800x200, shown 200x800: halving, chosen on the stored size, would give 100 wide.
    path = tmp_path / "rotated.jpg"
    _save_with_orientation(path, _two_colour_rgb(200, 800), 6)

    image = imagefiles.read_image(path, target_size=(150, 100))

    assert image.shape[1] >= 150 and image.shape[0] >= 100
    assert image.shape[0] > image.shape[1]  # still upright (portrait)


def test_reduced_decode_is_smaller_but_at_least_the_target(tmp_path):
    path = tmp_path / "large.jpg"
    cv2.imwrite(str(path), np.full((600, 800, 3), 90, np.uint8))

    assert imagefiles.read_image(path).shape == (600, 800, 3)
    reduced = imagefiles.read_image(path, target_size=(100, 100))
    # 1/8 would give 100x75, below the target height; 1/4 gives 200x150.
    assert reduced.shape == (150, 200, 3)
    assert imagefiles.read_image(path, target_size=(500, 400)).shape == (600, 800, 3)


def test_cmyk_jpeg_becomes_three_channel_bgr(tmp_path):
    path = tmp_path / "cmyk.jpg"
    Image.fromarray(_two_colour_rgb(20, 20)).convert("CMYK").save(path)
    assert Image.open(path).mode == "CMYK"

    image = imagefiles.read_image(path)

    assert image.shape == (20, 20, 3) and image.dtype == np.uint8
    blue, green, red = image[2, 10].astype(int)
    assert red > 200 and green < 60 and blue < 60


def test_sixteen_bit_png_is_scaled_to_eight_bits(tmp_path):
    path = tmp_path / "deep.png"
    values = np.array([[0, 257, 0x1234, 65535]], np.uint16)
    cv2.imwrite(str(path), values)

    image = imagefiles.read_image(path)

    assert image.dtype == np.uint8 and image.shape == (1, 4, 3)
    np.testing.assert_array_equal(image[0, :, 0], [0, 1, 0x12, 255])


def test_png_alpha_is_composited_over_white(tmp_path):
    path = tmp_path / "alpha.png"
    bgra = np.zeros((2, 3, 4), np.uint8)
    bgra[:, 0] = (0, 0, 0, 0)  # fully transparent black -> white
    bgra[:, 1] = (255, 0, 0, 255)  # opaque blue stays blue
    bgra[:, 2] = (0, 0, 0, 128)  # half-transparent black -> mid grey
    cv2.imwrite(str(path), bgra)

    image = imagefiles.read_image(path)

    assert image.shape == (2, 3, 3)
    np.testing.assert_array_equal(image[0, 0], [255, 255, 255])
    np.testing.assert_array_equal(image[0, 1], [255, 0, 0])
    assert 120 <= image[0, 2, 0] <= 135


def test_webp_alpha_is_composited_over_white_too(tmp_path):
    path = tmp_path / "alpha.webp"
    Image.fromarray(np.zeros((4, 4, 4), np.uint8), mode="RGBA").save(path, lossless=True)

    np.testing.assert_array_equal(imagefiles.read_image(path)[0, 0], [255, 255, 255])


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_grayscale_becomes_three_equal_channels(tmp_path, suffix):
    path = tmp_path / f"gray{suffix}"
    cv2.imwrite(str(path), np.full((5, 7), 100, np.uint8))

    image = imagefiles.read_image(path)

    assert image.shape == (5, 7, 3)
    assert np.array_equal(image[..., 0], image[..., 1]) and np.array_equal(image[..., 1], image[..., 2])
    assert abs(int(image[2, 3, 0]) - 100) <= 2


def test_empty_text_and_truncated_files_raise_image_read_error(tmp_path):
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "text.jpg").write_text("this is not an image", encoding="utf-8")
    ok, encoded = cv2.imencode(".jpg", np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))
    (tmp_path / "truncated.jpg").write_bytes(encoded.tobytes()[: len(encoded) // 2])

    reasons = {}
    for name in ("empty.jpg", "text.jpg", "truncated.jpg"):
        with pytest.raises(imagefiles.ImageReadError) as caught:
            imagefiles.read_image(tmp_path / name)
        assert caught.value.path == str(tmp_path / name)
        assert str(tmp_path / name) in str(caught.value)
        reasons[name] = caught.value.reason
    assert "empty" in reasons["empty.jpg"]
    assert "truncated" in reasons["truncated.jpg"]
    assert isinstance(caught.value, ValueError)


def test_jpeg_with_a_long_trailer_after_the_end_marker_is_accepted(tmp_path):
    # Some cameras append kilobytes after the end-of-image marker; that is not truncation.
    ok, encoded = cv2.imencode(".jpg", np.full((16, 16, 3), 50, np.uint8))
    path = tmp_path / "trailer.jpg"
    path.write_bytes(encoded.tobytes() + b"\x00" * 5000)

    assert imagefiles.read_image(path).shape == (16, 16, 3)


def test_truncated_jpeg_is_caught_even_with_an_end_marker_in_its_metadata(tmp_path):
    # An EXIF thumbnail carries its own end marker before the scan data; it must not count.
    ok, encoded = cv2.imencode(".jpg", np.random.default_rng(1).integers(0, 255, (64, 64, 3), dtype=np.uint8))
    data = encoded.tobytes()
    payload = b"Exif\x00\x00" + b"\xff\xd8thumbnail\xff\xd9"
    segment = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    with_thumbnail = data[:2] + segment + data[2:]
    path = tmp_path / "cut.jpg"
    path.write_bytes(with_thumbnail[: len(with_thumbnail) // 2])
    # Long enough that the early marker is outside the quick check of the last KiB.
    assert len(with_thumbnail) // 2 > 2048

    with pytest.raises(imagefiles.ImageReadError, match="truncated"):
        imagefiles.read_image(path)


def test_a_fifo_or_a_folder_named_like_an_image_is_refused_before_it_is_opened(tmp_path):
    (tmp_path / "folder.jpg").mkdir()
    with imagetesting.fifo_unblocked_after(str(tmp_path / "pipe.jpg")):
        with pytest.raises(imagefiles.ImageReadError) as caught:
            imagefiles.read_image(tmp_path / "pipe.jpg")
    assert caught.value.reason == "not a regular file (a FIFO)"
    with pytest.raises(imagefiles.ImageReadError, match=r"not a regular file \(a folder\)"):
        imagefiles.read_image(tmp_path / "folder.jpg")
    # A folder is never listed as an image, whatever its name; its images are.
    (tmp_path / "folder.jpg" / "inside.png").write_bytes(b"x")
    assert imagefiles.list_images(tmp_path) == [str(tmp_path / "folder.jpg" / "inside.png"), str(tmp_path / "pipe.jpg")]


def test_an_image_over_the_pixel_limit_is_refused_from_its_header(tmp_path):
    huge = tmp_path / "huge.png"
    huge.write_bytes(imagetesting.huge_png_bytes(20000, 20000))
    assert huge.stat().st_size < 2_000_000

    started = time.perf_counter()
    with pytest.raises(imagefiles.ImageReadError) as caught:
        imagefiles.read_image(huge)
    # Decoding would take seconds and 1.2 GB; the header check takes milliseconds.
    assert time.perf_counter() - started < 0.5
    assert "20000x20000 is 400,000,000 pixels, over the limit of 89,478,485" in caught.value.reason
    assert imagefiles.MAX_IMAGE_PIXELS == 89_478_485  # Pillow's MAX_IMAGE_PIXELS


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".bmp", ".webp", ".tiff"])
def test_the_pixel_limit_is_a_parameter_read_from_every_formats_header(tmp_path, suffix):
    path = tmp_path / f"image{suffix}"
    assert cv2.imwrite(str(path), np.full((30, 40, 3), 90, np.uint8))
    assert imageheaders.stored_size(path.read_bytes()) == (40, 30)

    with pytest.raises(imagefiles.ImageReadError, match=r"40x30 is 1,200 pixels, over the limit of 1,199"):
        imagefiles.read_image(path, max_pixels=1199)
    assert imagefiles.read_image(path, max_pixels=1200).shape == (30, 40, 3)
    assert imagefiles.read_image(path, max_pixels=None).shape == (30, 40, 3)
    with pytest.raises(ValueError, match=r"Received: max_image_pixels=0"):
        imagefiles.read_image(path, max_pixels=0)


def test_an_unknown_header_is_still_held_to_the_limit_after_decoding(tmp_path, monkeypatch):
    path = tmp_path / "image.png"
    cv2.imwrite(str(path), np.full((30, 40, 3), 90, np.uint8))
    monkeypatch.setattr(imageheaders, "stored_size", lambda data: None)
    with pytest.raises(imagefiles.ImageReadError, match=r"40x30 is 1,200 pixels"):
        imagefiles.read_image(path, max_pixels=1000)


def test_a_file_name_that_is_not_utf8_is_reported_with_printable_text(tmp_path):
    path = imagetesting.non_utf8_name(tmp_path)
    with open(path, "wb") as handle:
        handle.write(b"not an image")
    with pytest.raises(imagefiles.ImageReadError) as caught:
        imagefiles.read_image(path)
    assert caught.value.path == path
    message = str(caught.value)
    message.encode("utf-8")  # printable: no lone surrogates
    assert "bad\\xff\\xfe.jpg" in message
