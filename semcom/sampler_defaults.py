"""The receiver's default diffusion sampler, in one torch-free place (the CLIs, the sweep axes
and :class:`~semcom.models.imputer.MVLDImputer` all read it).

Network passes per sample: steps + 1, twice that with guidance (weight > 0), both branches
counted (:mod:`semcom.diffusion.guidance`). The default, DPM-Solver++(2M) SDE with 11 steps and
guidance weight 1 (24 passes), beat the unguided sampler with 24 steps (25 passes) on every
column of the mvshapes imputation table and weights 2 and 3 fell back
(``python benchmarks/bench_guidance.py --dataset mvshapes --n 500`` -> results/mvshapes/guidance.csv).
"""

DEFAULT_SAMPLER = "dpmpp_2m_sde"
DEFAULT_STEPS = 11
DEFAULT_GUIDANCE = 1.0
