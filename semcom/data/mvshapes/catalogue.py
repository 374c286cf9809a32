"""The mvshapes object catalogue: 13 classes (the 13 ShapeNet classes of NMR) built from primitives.

Each class is a function ``build(rng) -> list[Part]`` that draws one instance: proportions,
optional parts and a colour key per part. The object's frame is z up with the front facing +x
(left is +y, right is -y). Colours are drawn per key by :func:`draw_palette`, so parts that only
one side shows (a car's lights, a cabinet's door, a sofa's left arm) carry information that the
other views do not have, and one view does not determine the others.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

HALF_PI = math.pi / 2


@dataclass(frozen=True)
class Part:
    """One primitive of an object.

    shape: "box" (size = half extents x, y, z), "sphere" (size = (radius,)), "cylinder" or
    "capsule" (size = (radius, length), axis along local z). pos in metres, rot as Euler angles
    (radians, applied x, y, z), colour: a key into the instance's palette.
    """

    shape: str
    size: tuple[float, ...]
    pos: tuple[float, float, float]
    colour: str
    rot: tuple[float, float, float] = (0.0, 0.0, 0.0)


Builder = Callable[[np.random.Generator], list[Part]]


def _box(hx, hy, hz, x, y, z, colour, rot=(0.0, 0.0, 0.0)) -> Part:
    return Part("box", (hx, hy, hz), (x, y, z), colour, rot)


def _cyl(r, length, x, y, z, colour, axis="z") -> Part:
    rot = {"z": (0.0, 0.0, 0.0), "x": (0.0, HALF_PI, 0.0), "y": (HALF_PI, 0.0, 0.0)}[axis]
    return Part("cylinder", (r, length), (x, y, z), colour, rot)


def _sphere(r, x, y, z, colour) -> Part:
    return Part("sphere", (r,), (x, y, z), colour)


def _side_decals(hx, hy, hz, x, z, rng: np.random.Generator) -> list[Part]:
    """Thin panels on the left (+y) and right (-y) faces of a body box, each present with
    probability 0.75 and coloured independently, so the left and right views differ."""
    parts = []
    for sign, key in ((1.0, "left"), (-1.0, "right")):
        if rng.random() < 0.75:
            dx, dz = hx * rng.uniform(0.4, 0.85), hz * rng.uniform(0.3, 0.8)
            parts.append(_box(dx, 0.012, dz, x + hx * rng.uniform(-0.2, 0.2), sign * (hy + 0.012), z, key))
    return parts


def airplane(rng):
    length, r = rng.uniform(0.6, 0.8), rng.uniform(0.07, 0.11)
    span, chord = rng.uniform(0.5, 0.72), rng.uniform(0.1, 0.18)
    z = 0.35
    wing_x = rng.uniform(-0.1, 0.15)
    parts = [
        _cyl(r, 2 * length * 0.8, 0.0, 0.0, z, "body", axis="x"),
        _sphere(r, length * 0.8, 0.0, z, "nose"),
        _box(chord, span, 0.015, wing_x, 0.0, z - r * 0.3, "wings"),
        _box(0.09, 0.012, rng.uniform(0.14, 0.24), -length * 0.72, 0.0, z + r + 0.1, "tail"),
        _box(0.07, span * 0.35, 0.012, -length * 0.72, 0.0, z + 0.02, "tail"),
    ]
    if rng.random() < 0.7:  # engines under the wings
        for s in (1, -1):
            parts.append(_cyl(0.05, 0.22, wing_x + 0.05, s * span * 0.45, z - r - 0.02, "engines", axis="x"))
    return parts


def bench(rng):
    w, d, h = rng.uniform(0.7, 1.0), rng.uniform(0.18, 0.3), rng.uniform(0.3, 0.42)
    parts = [_box(d, w, 0.03, 0.0, 0.0, h, "seat")]
    leg = rng.uniform(0.025, 0.04)
    for sx in (1, -1):
        for sy in (1, -1):
            parts.append(_box(leg, leg, h / 2, sx * (d - leg), sy * (w - leg), h / 2, "legs"))
    if rng.random() < 0.7:  # backrest
        parts.append(_box(0.02, w, rng.uniform(0.12, 0.22), -d, 0.0, h + 0.2, "back"))
    return parts


def cabinet(rng):
    hx, hy, hz = rng.uniform(0.22, 0.35), rng.uniform(0.25, 0.45), rng.uniform(0.4, 0.6)
    parts = [_box(hx, hy, hz, 0.0, 0.0, hz, "body")]
    n_doors = int(rng.integers(1, 3))
    for i in range(n_doors):
        y = (i - (n_doors - 1) / 2) * (2 * hy / n_doors)
        parts.append(_box(0.015, hy / n_doors * 0.85, hz * 0.85, hx + 0.015, y, hz, "door"))
        parts.append(_sphere(0.03, hx + 0.04, y + hy / n_doors * 0.5 * (1 if i else -1) * 0.7, hz, "handle"))
    parts.append(_box(0.012, hy * 0.9, hz * 0.9, -hx - 0.012, 0.0, hz, "back"))
    parts.append(_box(hx * 1.05, hy * 1.05, 0.025, 0.0, 0.0, 2 * hz + 0.025, "top"))
    return parts + _side_decals(hx, hy, hz, 0.0, hz, rng)


def car(rng):
    hx, hy, hz = rng.uniform(0.45, 0.6), rng.uniform(0.22, 0.3), rng.uniform(0.1, 0.15)
    wr = rng.uniform(0.1, 0.14)
    z = wr + hz * 0.6
    cabin_x = rng.uniform(-0.15, 0.05)
    parts = [
        _box(hx, hy, hz, 0.0, 0.0, z, "body"),
        _box(hx * rng.uniform(0.4, 0.6), hy * 0.9, rng.uniform(0.08, 0.13), cabin_x, 0.0, z + hz + 0.09, "cabin"),
    ]
    for sx in (1, -1):
        for sy in (1, -1):
            parts.append(_cyl(wr, 0.08, sx * hx * 0.65, sy * hy, wr, "wheels", axis="y"))
    for sy in (1, -1):
        parts.append(_sphere(0.045, hx, sy * hy * 0.6, z + hz * 0.3, "headlights"))
    parts.append(_box(0.015, hy * 0.8, hz * 0.5, -hx - 0.015, 0.0, z + hz * 0.3, "rear"))
    return parts + _side_decals(hx * 0.8, hy, hz * 0.7, 0.0, z, rng)


def chair(rng):
    s, h = rng.uniform(0.22, 0.3), rng.uniform(0.35, 0.45)
    leg = rng.uniform(0.02, 0.035)
    parts = [_box(s, s, 0.03, 0.0, 0.0, h, "seat")]
    for sx in (1, -1):
        for sy in (1, -1):
            parts.append(_box(leg, leg, h / 2, sx * (s - leg), sy * (s - leg), h / 2, "legs"))
    bh = rng.uniform(0.2, 0.35)
    parts.append(_box(0.025, s, bh, -s, 0.0, h + bh, "back"))
    if rng.random() < 0.5:  # arm rests
        for sy, key in ((1, "left"), (-1, "right")):
            parts.append(_box(s * 0.9, 0.025, 0.02, 0.0, sy * s, h + 0.15, key))
    return parts


def display(rng):
    w, hh = rng.uniform(0.4, 0.6), rng.uniform(0.25, 0.38)
    stand = rng.uniform(0.12, 0.25)
    z = 0.03 + stand + hh
    return [
        _box(0.03, w, hh, 0.0, 0.0, z, "casing"),
        _box(0.006, w * 0.92, hh * 0.88, 0.033, 0.0, z, "screen"),
        _box(0.02, w * 0.5, hh * 0.5, -0.05, 0.0, z, "back"),
        _cyl(0.03, stand, -0.04, 0.0, 0.03 + stand / 2, "stand"),
        _box(0.14, rng.uniform(0.15, 0.25), 0.015, -0.04, 0.0, 0.015, "stand"),
    ]


def lamp(rng):
    pole = rng.uniform(0.5, 0.8)
    direction = rng.choice([0.0, HALF_PI, math.pi, -HALF_PI])  # arm points to one side
    reach = rng.uniform(0.15, 0.3)
    ax, ay = reach * math.cos(direction), reach * math.sin(direction)
    parts = [
        _cyl(rng.uniform(0.12, 0.2), 0.04, 0.0, 0.0, 0.02, "base"),
        _cyl(0.02, pole, 0.0, 0.0, 0.04 + pole / 2, "pole"),
        _box(abs(ax) / 2 + 0.015, abs(ay) / 2 + 0.015, 0.015, ax / 2, ay / 2, 0.04 + pole, "pole"),
    ]
    if rng.random() < 0.5:
        parts.append(_sphere(rng.uniform(0.08, 0.13), ax, ay, pole - 0.05, "shade"))
    else:
        parts.append(_cyl(rng.uniform(0.09, 0.15), rng.uniform(0.1, 0.18), ax, ay, pole - 0.04, "shade"))
    return parts


def loudspeaker(rng):
    hx, hy, hz = rng.uniform(0.18, 0.28), rng.uniform(0.16, 0.25), rng.uniform(0.3, 0.5)
    parts = [_box(hx, hy, hz, 0.0, 0.0, hz, "body"),
             _box(0.01, hy * 0.92, hz * 0.95, hx + 0.01, 0.0, hz, "baffle")]
    n = int(rng.integers(1, 4))
    for i in range(n):
        z = hz * 2 * (i + 0.5) / n
        r = min(hy * 0.7, hz / n * 0.8) * rng.uniform(0.7, 1.0)
        parts.append(_cyl(r, 0.03, hx + 0.025, 0.0, z, "cones", axis="x"))
    parts.append(_box(0.01, hy * 0.6, hz * 0.4, -hx - 0.01, 0.0, hz * 0.6, "back"))
    return parts + _side_decals(hx, hy, hz, 0.0, hz, rng)


def rifle(rng):
    length = rng.uniform(0.8, 1.0)
    z = 0.4
    parts = [
        _cyl(0.02, length, length * 0.25, 0.0, z + 0.03, "barrel", axis="x"),
        _box(0.2, 0.035, 0.06, -length * 0.25, 0.0, z, "body"),
        _box(0.16, 0.03, 0.08, -length * 0.5, 0.0, z - 0.04, "stock"),
        _box(0.03, 0.025, rng.uniform(0.06, 0.12), -length * 0.15, 0.0, z - 0.12, "magazine"),
    ]
    if rng.random() < 0.6:
        parts.append(_cyl(0.03, 0.25, -length * 0.2, 0.0, z + 0.11, "scope", axis="x"))
    return parts


def sofa(rng):
    w, d, h = rng.uniform(0.55, 0.85), rng.uniform(0.25, 0.35), rng.uniform(0.12, 0.18)
    arm = rng.uniform(0.06, 0.1)
    bh = rng.uniform(0.18, 0.3)
    parts = [
        _box(d, w, h, 0.0, 0.0, h, "base"),
        _box(d * 0.8, w - arm, 0.05, 0.05, 0.0, 2 * h + 0.05, "cushions"),
        _box(0.07, w, bh, -d + 0.07, 0.0, 2 * h + bh, "back"),
        _box(d, arm, h * 0.8, 0.0, w + arm, h * 1.8, "left"),
        _box(d, arm, h * 0.8, 0.0, -w - arm, h * 1.8, "right"),
    ]
    return parts


def table(rng):
    hx, hy, h = rng.uniform(0.3, 0.45), rng.uniform(0.4, 0.65), rng.uniform(0.35, 0.5)
    parts = [_box(hx, hy, 0.025, 0.0, 0.0, h, "top")]
    if rng.random() < 0.6:
        leg = rng.uniform(0.025, 0.04)
        for sx in (1, -1):
            for sy in (1, -1):
                parts.append(_box(leg, leg, h / 2, sx * (hx - 2 * leg), sy * (hy - 2 * leg), h / 2, "legs"))
    else:  # pedestal
        parts.append(_cyl(0.05, h, 0.0, 0.0, h / 2, "legs"))
        parts.append(_box(hx * 0.6, hy * 0.5, 0.02, 0.0, 0.0, 0.02, "legs"))
    if rng.random() < 0.6:  # a drawer on the front
        parts.append(_box(0.012, hy * 0.4, 0.04, hx - 0.01, 0.0, h - 0.07, "drawer"))
    return parts


def telephone(rng):
    hy, hz = rng.uniform(0.15, 0.22), rng.uniform(0.3, 0.42)
    z = hz + 0.02
    parts = [
        _box(0.025, hy, hz, 0.0, 0.0, z, "body"),
        _box(0.005, hy * 0.88, hz * 0.8, 0.028, 0.0, z + hz * 0.05, "screen"),
        _sphere(0.025, 0.03, 0.0, z - hz * 0.9, "button"),
        _box(0.01, hy * 0.3, hz * 0.15, -0.03, hy * 0.5, z + hz * 0.7, "camera"),
        _box(0.08, hy * 0.8, 0.01, -0.03, 0.0, 0.01, "stand"),
    ]
    return parts


def watercraft(rng):
    hx, hy, hz = rng.uniform(0.45, 0.62), rng.uniform(0.14, 0.22), rng.uniform(0.07, 0.11)
    parts = [
        _box(hx, hy, hz, 0.0, 0.0, hz, "hull"),
        _sphere(hy * 1.0, hx, 0.0, hz, "hull"),
        _box(hx * 0.95, hy * 0.95, 0.01, 0.0, 0.0, 2 * hz + 0.01, "deck"),
    ]
    if rng.random() < 0.5:  # sailing boat
        mast = rng.uniform(0.45, 0.7)
        parts.append(_cyl(0.015, mast, 0.05, 0.0, 2 * hz + mast / 2, "mast"))
        parts.append(_box(0.2, 0.008, mast * 0.4, -0.17, 0.0, 2 * hz + mast * 0.5, "sail"))
    else:  # motor boat with a cabin
        parts.append(_box(hx * 0.35, hy * 0.75, rng.uniform(0.08, 0.14), -hx * 0.2, 0.0, 2 * hz + 0.1, "cabin"))
    return parts + _side_decals(hx * 0.8, hy, hz * 0.7, 0.0, hz, rng)


#: class name -> builder, in label order.
CLASSES: dict[str, Builder] = {
    "airplane": airplane, "bench": bench, "cabinet": cabinet, "car": car, "chair": chair,
    "display": display, "lamp": lamp, "loudspeaker": loudspeaker, "rifle": rifle, "sofa": sofa,
    "table": table, "telephone": telephone, "watercraft": watercraft,
}


def draw_palette(parts: list[Part], rng: np.random.Generator) -> dict[str, tuple[float, float, float]]:
    """An independent random RGB colour for each colour key (HSV with bright, saturated values)."""
    from colorsys import hsv_to_rgb

    keys = sorted({p.colour for p in parts})
    return {
        k: hsv_to_rgb(rng.uniform(0, 1), rng.uniform(0.35, 1.0), rng.uniform(0.35, 1.0)) for k in keys
    }


def scale_parts(parts: list[Part], scale: float) -> list[Part]:
    """The same object scaled about the origin by ``scale``."""
    return [
        Part(p.shape, tuple(s * scale for s in p.size), tuple(c * scale for c in p.pos), p.colour, p.rot)
        for p in parts
    ]
