"""NPFL114 lecture 7 bank: every key recomputed without its formula.

IoU from rasterised boxes; AP by walking the ranked list and integrating the interpolated curve on a
fine recall grid; NMS by running it; smooth L1 from its definition; RoIAlign's bilinear sample checked
to reproduce planes exactly and against an explicit grid; box encodings round-tripped; focal loss
against cross-entropy and its limit gamma -> 0; anchors and head channels counted level by level.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from npfl_bank_helpers import answer, contract, loaded, ticked, value, variants, wrong

BANK = "npfl114_lecture_07"


def each(qid):
    return [pytest.param(v, id=f"{qid}-{i}") for i, v in enumerate(variants(BANK, qid))]


def test_bank_contract():
    contract(BANK, 7)


def test_every_official_question_has_graded_parts_and_drawings():
    bank = loaded(BANK)
    assert len([q for q in bank.questions if q.covers]) == 7
    assert all(sum(p.kind in ("number", "expr") for p in q.parts) >= 1 for q in bank.questions)
    drawn = {q.id for q in bank.questions if "```mermaid" in q.solution}
    assert drawn >= {"l7-fast-rcnn", "l7-rpn", "l7-retinanet", "l7-bifpn"}


# ---------------------------------------------------------------- AP50
def raster_iou(a, d, scale=20):
    """Two a x a boxes shifted by d, drawn on a pixel grid (scale pixels per unit)."""
    n = int((a + d) * scale)
    one, two = np.zeros((n, n), bool), np.zeros((n, n), bool)
    one[: int(a * scale), : int(a * scale)] = True
    two[: int(a * scale), int(d * scale): int((a + d) * scale)] = True
    return (one & two).sum() / (one | two).sum()


@pytest.mark.parametrize("v", each("l7-ap50"))
def test_iou_by_rasterising(v):
    assert math.isclose(value(answer(BANK, "l7-ap50", "iou"), v), raster_iou(v["a"], v["d"]), rel_tol=1e-9)


def ap_walk(ranked, gold, interpolate=True):
    tp = np.cumsum(ranked)
    precision = tp / np.arange(1, len(ranked) + 1)
    recall = tp / gold
    grid = np.linspace(0, 1, 100_001)[1:]  # integrate p_interp(r) dr on a fine grid
    vals = []
    for r in grid:
        ok = recall >= r - 1e-12
        if not ok.any():
            vals.append(0.0)
        elif interpolate:
            vals.append(precision[ok].max())
        else:
            vals.append(precision[np.argmax(ok)])
    return float(np.mean(vals))


@pytest.mark.parametrize("g", [4, 5, 8])
def test_ap_by_walking_the_ranked_list(g):
    ranked = np.array([1, 0, 1, 1, 0])  # TP FP TP TP FP, as in the prompt
    ap = ap_walk(ranked, g)
    assert math.isclose(value(answer(BANK, "l7-ap50", "ap"), {"G": g}), ap, abs_tol=1e-4)
    raw = ap_walk(ranked, g, interpolate=False)
    assert math.isclose(value(wrong(BANK, "l7-ap50", "ap")[0], {"G": g}), raw, abs_tol=1e-4)
    assert ap > raw  # interpolation can only raise the curve


# ---------------------------------------------------------------- Fast R-CNN
def smooth_l1(x):
    return 0.5 * x * x if abs(x) < 1 else abs(x) - 0.5


@pytest.mark.parametrize("v", each("l7-fast-rcnn"))
def test_smooth_l1_pieces(v):
    assert math.isclose(value(answer(BANK, "l7-fast-rcnn", "small"), v), smooth_l1(v["a"]))
    assert math.isclose(value(answer(BANK, "l7-fast-rcnn", "large"), v), smooth_l1(v["b"]))


def test_smooth_l1_is_continuous_with_a_continuous_slope_at_one():
    small, large = answer(BANK, "l7-fast-rcnn", "small"), answer(BANK, "l7-fast-rcnn", "large")
    assert math.isclose(value(small, {"a": 1.0}), value(large, {"b": 1.0}))
    h = 1e-6
    slope_in = (value(small, {"a": 1.0}) - value(small, {"a": 1 - h})) / h
    slope_out = (value(large, {"b": 1 + h}) - value(large, {"b": 1.0})) / h
    assert math.isclose(slope_in, slope_out, rel_tol=1e-4)


def test_box_targets_round_trip_through_decoding():
    rng = np.random.default_rng(0)
    for _ in range(50):
        x, xa = rng.uniform(0, 500, 2)
        w, wa = rng.uniform(5, 300, 2)
        vals = {"x": x, "xa": xa, "w": w, "wa": wa}
        tx, tw = value(answer(BANK, "l7-fast-rcnn", "tx"), vals), value(answer(BANK, "l7-fast-rcnn", "tw"), vals)
        assert math.isclose(value(answer(BANK, "l7-rpn", "decode-x"), {"xa": xa, "wa": wa, "tx": tx}), x)
        assert math.isclose(value(answer(BANK, "l7-rpn", "decode-w"), {"wa": wa, "tw": tw}), w)
    # translation and scale invariance: moving and scaling both boxes leaves the targets unchanged
    vals = {"x": 130.0, "xa": 100.0, "w": 60.0, "wa": 40.0}
    moved = {"x": 3 * 130.0 + 7, "xa": 3 * 100.0 + 7, "w": 180.0, "wa": 120.0}
    for part in ("tx", "tw"):
        assert math.isclose(value(answer(BANK, "l7-fast-rcnn", part), vals),
                            value(answer(BANK, "l7-fast-rcnn", part), moved))


def nms(scores, iou, threshold):
    order = sorted(scores, key=scores.get, reverse=True)
    kept = []
    while order:
        best = order.pop(0)
        kept.append(best)
        order = [b for b in order if iou[frozenset((best, b))] <= threshold]
    return kept


def test_nms_choice_by_running_it():
    scores = {"A": 0.9, "B": 0.8, "C": 0.7, "D": 0.6}
    iou = {frozenset(k): v for k, v in {("A", "B"): 0.7, ("A", "C"): 0.2, ("A", "D"): 0.1, ("B", "C"): 0.6,
                                        ("B", "D"): 0.3, ("C", "D"): 0.55}.items()}
    assert nms(scores, iou, 0.5) == ["A", "C"]
    assert ticked(BANK, "l7-fast-rcnn", "nms") == [0]


# ---------------------------------------------------------------- RPN
@pytest.mark.parametrize("v", each("l7-rpn"))
def test_anchor_and_channel_counts(v):
    h, w, s, r = (int(v[k]) for k in ("h", "w", "s", "r"))
    scales, ratios = [128, 256, 512], [0.5, 1, 2]
    anchors = [(y, x, sc, ra) for y in range(h) for x in range(w) for sc in scales for ra in ratios]
    assert value(answer(BANK, "l7-rpn", "anchors"), v) == len(anchors)
    per_position = [(sc, ra) for sc in range(s) for ra in range(r)]
    assert value(answer(BANK, "l7-rpn", "channels"), v) == 4 * len(per_position)


# ---------------------------------------------------------------- Mask R-CNN
def bilinear(grid, x, y):
    x0, y0 = math.floor(x), math.floor(y)
    fx, fy = x - x0, y - y0
    return (grid[y0][x0] * (1 - fx) * (1 - fy) + grid[y0][x0 + 1] * fx * (1 - fy)
            + grid[y0 + 1][x0] * (1 - fx) * fy + grid[y0 + 1][x0 + 1] * fx * fy)


@pytest.mark.parametrize("v", each("l7-mask-rcnn"))
def test_bilinear_sample_and_unrounded_coordinate(v):
    grid = [[1, 3], [2, 6]]  # grid[y][x]: 1 at (0,0), 3 at (1,0), 2 at (0,1), 6 at (1,1)
    assert math.isclose(value(answer(BANK, "l7-mask-rcnn", "bilinear"), v), bilinear(grid, v["x"], v["y"]))
    assert value(answer(BANK, "l7-mask-rcnn", "coordinate"), v) * 16 == v["x1"]


def test_bilinear_interpolation_reproduces_planes():
    key = answer(BANK, "l7-mask-rcnn", "bilinear")
    # the corner values 1, 3, 2, 6 are not a plane (1 + 6 != 3 + 2), but any plane's corners are reproduced
    for x, y in [(0, 0), (1, 0), (0, 1), (1, 1)]:
        assert math.isclose(value(key, {"x": x, "y": y}), [[1, 3], [2, 6]][y][x])
    plane = [[5.0, 5.0 + 2], [5.0 - 1, 5.0 + 2 - 1]]
    for x, y in [(0.3, 0.6), (0.9, 0.1)]:
        assert math.isclose(bilinear(plane, x, y), 5 + 2 * x - y)


# ---------------------------------------------------------------- focal loss
def test_focal_loss_against_cross_entropy_and_its_limits():
    pos, neg = answer(BANK, "l7-focal", "positive"), answer(BANK, "l7-focal", "negative")
    for p in (0.05, 0.3, 0.7, 0.99):
        ce_pos, ce_neg = -math.log(p), -math.log(1 - p)
        assert math.isclose(value(pos, {"p": p, "alpha": 1.0, "gamma": 0.0}), ce_pos)
        assert math.isclose(value(neg, {"p": p, "alpha": 0.0, "gamma": 0.0}), ce_neg)
        a, g = 0.25, 2.0
        assert math.isclose(value(pos, {"p": p, "alpha": a, "gamma": g}), -a * (1 - p) ** g * math.log(p))
        assert math.isclose(value(neg, {"p": p, "alpha": a, "gamma": g}), -(1 - a) * p ** g * math.log(1 - p))
    # an easy positive (p -> 1) loses almost everything, a hard one (p small) keeps most of its CE
    assert value(pos, {"p": 0.99, "alpha": 1, "gamma": 2}) < 1e-3 * -math.log(0.99)
    assert value(pos, {"p": 0.05, "alpha": 1, "gamma": 2}) > 0.9 * -math.log(0.05)


@pytest.mark.parametrize("v", each("l7-focal"))
def test_focal_ratio(v):
    pt = v["pt"]
    ce, fl = -math.log(pt), -(1 - pt) ** 2 * math.log(pt)
    assert math.isclose(value(answer(BANK, "l7-focal", "ratio"), v), ce / fl)


# ---------------------------------------------------------------- RetinaNet, BiFPN
@pytest.mark.parametrize("v", each("l7-retinanet"))
def test_retinanet_counts(v):
    k, s = int(v["K"]), int(v["S"])
    assert value(answer(BANK, "l7-retinanet", "cls"), v) == np.zeros((3, 3, 256, k * 9)).shape[-1]
    levels = [np.zeros((s // 2 ** lvl, s // 2 ** lvl, 9)) for lvl in range(3, 8)]
    assert value(answer(BANK, "l7-retinanet", "anchors"), v) == sum(a.size for a in levels)


@pytest.mark.parametrize("v", each("l7-bifpn"))
def test_bifpn_fusion_and_separable_weights(v):
    inputs = np.array([1.0, 3.0, 2.0])
    w = np.maximum(np.array([v["w1"], v["w2"], v["w3"]]), 0)  # ReLU'd weights
    fused = float((w / (1e-4 + w.sum())) @ inputs)
    assert math.isclose(value(answer(BANK, "l7-bifpn", "fusion"), v), fused, rel_tol=1e-12)
    c = int(v["C"])
    assert value(answer(BANK, "l7-bifpn", "separable"), v) == np.zeros((3, 3, c)).size + np.zeros((c, c)).size


def raster_boxes(a, b, scale=10):
    grid = np.zeros((2, 20 * scale, 20 * scale), bool)
    for k, (x0, y0, x1, y1) in enumerate((a, b)):
        grid[k, int(y0 * scale):int(y1 * scale), int(x0 * scale):int(x1 * scale)] = True
    return (grid[0] & grid[1]).sum() / (grid[0] | grid[1]).sum()


@pytest.mark.parametrize("v", each("l7-drill-iou"))
def test_general_iou_by_rasterising(v):
    w1, dx, dy = v["w1"], v["dx"], v["dy"]
    iou = raster_boxes((0, 0, w1, 4), (dx, dy, dx + 5, dy + 5))
    assert math.isclose(value(answer(BANK, "l7-drill-iou", "iou"), v), iou, rel_tol=1e-9)


@pytest.mark.parametrize("v", each("l7-drill-precision-recall"))
def test_precision_and_recall_by_counting(v):
    t, fp, g = int(v["t"]), int(v["fp"]), int(v["G"])
    detections = [True] * t + [False] * fp
    gold_found = set(range(t))  # each true positive matches a different gold box
    assert math.isclose(value(answer(BANK, "l7-drill-precision-recall", "precision"), v),
                        sum(detections) / len(detections))
    assert math.isclose(value(answer(BANK, "l7-drill-precision-recall", "recall"), v), len(gold_found) / g)
