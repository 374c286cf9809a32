"""Rendering mvshapes scenes with pybullet's CPU TinyRenderer (no OpenGL, no display).

A :class:`Scene` is one object instance with its colours, camera elevation and lighting; it is
drawn from a seeded numpy generator by :func:`draw_scene` and rendered from the four canonical
azimuths (front, right, back, left) by :class:`Renderer`. Images are rendered at ``supersample``
times the requested size and box-filtered down, which anti-aliases the edges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from semcom.data.mvshapes.catalogue import CLASSES, Part, draw_palette, scale_parts

#: view name -> camera azimuth in degrees (object front faces +x, its left is +y).
VIEW_AZIMUTHS: dict[str, float] = {"front": 0.0, "right": -90.0, "back": 180.0, "left": 90.0}
CAMERA_DISTANCE = 2.1
FIELD_OF_VIEW_DEG = 40.0


@dataclass(frozen=True)
class Scene:
    """One object instance and how it is lit and seen (all views share it)."""

    label: int
    parts: tuple[Part, ...]
    palette: dict[str, tuple[float, float, float]]
    elevation_deg: float
    light_direction: tuple[float, float, float]
    ambient: float
    diffuse: float
    specular: float


def draw_scene(label: int, rng: np.random.Generator) -> Scene:
    """Draw an instance of class ``label``: proportions, colours, scale, elevation and lighting."""
    builder = list(CLASSES.values())[label]
    parts = scale_parts(builder(rng), float(rng.uniform(0.8, 1.15)))
    palette = draw_palette(parts, rng)
    light_az = rng.uniform(0, 2 * math.pi)
    light_el = rng.uniform(math.radians(25), math.radians(75))
    light = (
        math.cos(light_el) * math.cos(light_az),
        math.cos(light_el) * math.sin(light_az),
        math.sin(light_el),
    )
    return Scene(
        label=label,
        parts=tuple(parts),
        palette=palette,
        elevation_deg=float(rng.uniform(10.0, 35.0)),
        light_direction=light,
        ambient=float(rng.uniform(0.45, 0.7)),
        diffuse=float(rng.uniform(0.3, 0.55)),
        specular=float(rng.uniform(0.0, 0.2)),
    )


def _vertical_extent(parts: tuple[Part, ...]) -> tuple[float, float]:
    lo = min(p.pos[2] - max(p.size) for p in parts)
    hi = max(p.pos[2] + max(p.size) for p in parts)
    return lo, hi


def _import_pybullet():
    """Import pybullet without the build-date line its C extension prints on stdout."""
    import os
    import sys

    if "pybullet" in sys.modules:
        return sys.modules["pybullet"]
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 1)
            import pybullet
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return pybullet


class Renderer:
    """A pybullet DIRECT connection that renders scenes; use as a context manager.

    Not thread-safe; one per process.
    """

    def __init__(self, size: int, supersample: int = 2, views: tuple[str, ...] = tuple(VIEW_AZIMUTHS)):
        self._pb = _import_pybullet()
        self.size = size
        self.supersample = supersample
        self.views = views
        self._client = self._pb.connect(self._pb.DIRECT)
        self._rendered = 0
        self._projection = self._pb.computeProjectionMatrixFOV(
            FIELD_OF_VIEW_DEG, 1.0, 0.1, 10.0, physicsClientId=self._client
        )

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._pb.disconnect(self._client)
            self._client = None

    def _build_body(self, scene: Scene) -> int:
        pb, cid = self._pb, self._client
        visuals, positions, orientations = [], [], []
        for part in scene.parts:
            rgba = [*scene.palette[part.colour], 1.0]
            if part.shape == "box":
                vid = pb.createVisualShape(pb.GEOM_BOX, halfExtents=part.size, rgbaColor=rgba, physicsClientId=cid)
            elif part.shape == "sphere":
                vid = pb.createVisualShape(pb.GEOM_SPHERE, radius=part.size[0], rgbaColor=rgba, physicsClientId=cid)
            else:
                geom = pb.GEOM_CYLINDER if part.shape == "cylinder" else pb.GEOM_CAPSULE
                vid = pb.createVisualShape(
                    geom, radius=part.size[0], length=part.size[1], rgbaColor=rgba, physicsClientId=cid
                )
            visuals.append(vid)
            positions.append(part.pos)
            orientations.append(pb.getQuaternionFromEuler(part.rot))
        # An invisible root at the origin; every part is a fixed link placed in world coordinates.
        n = len(visuals)
        return pb.createMultiBody(
            baseMass=0,
            baseVisualShapeIndex=-1,
            basePosition=(0, 0, 0),
            linkMasses=[0] * n,
            linkCollisionShapeIndices=[-1] * n,
            linkVisualShapeIndices=visuals,
            linkPositions=positions,
            linkOrientations=orientations,
            linkInertialFramePositions=[(0, 0, 0)] * n,
            linkInertialFrameOrientations=[(0, 0, 0, 1)] * n,
            linkParentIndices=[0] * n,
            linkJointTypes=[pb.JOINT_FIXED] * n,
            linkJointAxis=[(0, 0, 1)] * n,
            physicsClientId=cid,
        )

    def render(self, scene: Scene) -> np.ndarray:
        """Render ``scene`` from each view.

        Returns: [V, 3, size, size] uint8 (white background).
        """
        pb, cid = self._pb, self._client
        body = self._build_body(scene)
        lo, hi = _vertical_extent(scene.parts)
        target = (0.0, 0.0, 0.5 * (lo + hi))
        full = self.size * self.supersample
        out = np.empty((len(self.views), 3, self.size, self.size), dtype=np.uint8)
        el = math.radians(scene.elevation_deg)
        for i, view in enumerate(self.views):
            az = math.radians(VIEW_AZIMUTHS[view])
            eye = (
                target[0] + CAMERA_DISTANCE * math.cos(el) * math.cos(az),
                target[1] + CAMERA_DISTANCE * math.cos(el) * math.sin(az),
                target[2] + CAMERA_DISTANCE * math.sin(el),
            )
            view_matrix = pb.computeViewMatrix(eye, target, (0, 0, 1), physicsClientId=cid)
            _, _, rgba, _, _ = pb.getCameraImage(
                full, full, view_matrix, self._projection,
                lightDirection=scene.light_direction,
                lightAmbientCoeff=scene.ambient,
                lightDiffuseCoeff=scene.diffuse,
                lightSpecularCoeff=scene.specular,
                shadow=0,
                renderer=pb.ER_TINY_RENDERER,
                flags=pb.ER_NO_SEGMENTATION_MASK,
                physicsClientId=cid,
            )
            rgb = np.asarray(rgba, dtype=np.uint8).reshape(full, full, 4)[:, :, :3].astype(np.float32)
            if self.supersample > 1:
                s = self.supersample
                rgb = rgb.reshape(self.size, s, self.size, s, 3).mean(axis=(1, 3))
            out[i] = np.rint(rgb).astype(np.uint8).transpose(2, 0, 1)
        pb.removeBody(body, physicsClientId=cid)
        self._rendered += 1
        if self._rendered % 256 == 0:  # visual shapes are never freed individually
            pb.resetSimulation(physicsClientId=cid)
        return out
