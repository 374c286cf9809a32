"""The receiver's default diffusion sampler, in one torch-free place (the CLIs, the sweep axes
and :class:`~semcom.models.imputer.MVLDImputer` all read it).

Network passes per sample: steps + 1, twice that with guidance (weight > 0), both branches
counted (:mod:`semcom.diffusion.guidance`).
"""

DEFAULT_SAMPLER = "dpmpp_2m_sde"
DEFAULT_STEPS = 24
DEFAULT_GUIDANCE = 0.0
