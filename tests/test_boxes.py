"""Box geometry and the IoU report: known overlaps, scaling both ways, the files written."""

import json

import numpy as np
import pytest

from pyimagesearch.nn import boxes


def test_iou_of_known_boxes():
    first = [[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10]]
    second = [[0, 0, 10, 10], [20, 20, 30, 30], [5, 0, 15, 10], [0, 0, 5, 5]]
    # identical, disjoint, half-shifted (50 / 150), a quarter inside (25 / 100)
    np.testing.assert_allclose(boxes.iou(first, second), [1.0, 0.0, 1 / 3, 0.25])


def test_iou_is_symmetric_and_touching_boxes_do_not_overlap():
    first, second = [[2, 3, 9, 7]], [[4, 1, 12, 6]]
    assert boxes.iou(first, second) == pytest.approx(boxes.iou(second, first))
    assert boxes.iou([0, 0, 10, 10], [10, 0, 20, 10])[0] == 0.0


def test_inverted_or_empty_predictions_score_zero_not_negative():
    # A regressor can predict an end before its start; such a box covers nothing.
    assert boxes.iou([[0, 0, 10, 10]], [[8, 8, 2, 2]])[0] == 0.0
    assert boxes.iou([[5, 5, 5, 5]], [[5, 5, 5, 5]])[0] == 0.0


def test_scaling_round_trips_with_one_size_per_box():
    pixel_boxes = np.array([[10, 20, 110, 220], [0, 0, 40, 30]], dtype=np.float64)
    widths, heights = [200, 40], [400, 30]
    scaled = boxes.scale_boxes(pixel_boxes, widths, heights)
    assert scaled.dtype == np.float32
    np.testing.assert_allclose(scaled, [[0.05, 0.05, 0.55, 0.55], [0, 0, 1, 1]])
    np.testing.assert_allclose(boxes.unscale_boxes(scaled, widths, heights), pixel_boxes, rtol=1e-6)


@pytest.mark.parametrize("bad", [[1, 2, 3], [[1, 2, 3, 4, 5]], [[0, 0, np.nan, 1]]])
def test_bad_boxes_are_refused(bad):
    with pytest.raises(ValueError, match="Received"):
        boxes.iou(bad, bad)


def test_a_zero_image_size_is_refused():
    with pytest.raises(ValueError, match="must be > 0"):
        boxes.scale_boxes([0, 0, 1, 1], 0, 10)


def test_metrics_and_report_files(tmp_path):
    true_boxes = [[0, 0, 10, 10]] * 4
    predicted = [[0, 0, 10, 10], [5, 0, 15, 10], [0, 0, 10, 8], [20, 20, 30, 30]]  # IoU 1, 1/3, 0.8, 0
    metrics = boxes.write_iou_report(tmp_path / "report", true_boxes, predicted)
    assert metrics["mean_iou"] == pytest.approx((1 + 1 / 3 + 0.8 + 0) / 4)
    assert metrics["share_iou_at_least_0.5"] == 0.5 and metrics["share_iou_at_least_0.75"] == 0.5
    assert metrics["samples"] == 4
    assert json.loads((tmp_path / "report" / boxes.METRICS_NAME).read_text()) == metrics
    text = (tmp_path / "report" / boxes.REPORT_NAME).read_text()
    assert f"mean IoU:                {metrics['mean_iou']:.4f}" in text


def test_draw_box_marks_the_edges_only():
    image = np.zeros((40, 50, 3), np.uint8)
    boxes.draw_box(image, [10, 5, 30, 25], colour=(0, 0, 255), thickness=1, label=None)
    assert tuple(image[5, 10]) == (0, 0, 255) and tuple(image[24, 29]) == (0, 0, 255)  # last pixel is end - 1
    assert tuple(image[15, 20]) == (0, 0, 0) and tuple(image[25, 30]) == (0, 0, 0)


def test_a_label_goes_above_or_below_the_box():
    above = boxes.draw_box(np.zeros((60, 50, 3), np.uint8), [10, 20, 30, 35], label="x", thickness=1)
    below = boxes.draw_box(np.zeros((60, 50, 3), np.uint8), [10, 20, 30, 35], label="x", thickness=1,
                           label_below=True)
    assert above[:19].any() and not above[36:].any()
    assert below[36:].any() and not below[:19].any()
