"""Information-theoretic limits and closed-form uncoded error rates (numpy/scipy only).

All SNRs are linear Es/N0 per complex channel use (unit average symbol energy, noise CN(0, N0)).

* :func:`awgn_capacity`              C = log2(1 + snr) bit per channel use
* :func:`rayleigh_ergodic_capacity`  E[log2(1 + snr |h|^2)], h ~ CN(0, 1): exp(1/snr) E1(1/snr) / ln 2
* :func:`rayleigh_outage_probability` P[log2(1 + snr |h|^2) < R] = 1 - exp(-(2^R - 1) / snr)
* :func:`bits_in_channel_uses`       floor(k C): the bit budget of the "codec + capacity" bound
* :func:`awgn_normal_approximation_bler` finite-blocklength limit (Polyanskiy-Poor-Verdu normal
                                     approximation) of the BLER of k bits in n channel uses
* :func:`uncoded_ber`                exact BER of Gray-coded BPSK / square M-QAM on AWGN and on
                                     Rayleigh fading with perfect CSI

The exact BER of a Gray-labelled PAM (each QAM dimension is one) is a finite sum of weighted
Gaussian tails sum_i w_i Q(sqrt(a_i snr)); averaging each tail over snr |h|^2 with |h|^2 ~ Exp(1)
gives the closed form 0.5 (1 - sqrt(a snr / (2 + a snr))), so both channels come from the same
table of (w_i, a_i).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from scipy.special import erfc, exp1

from channels.spec import MODULATIONS


def awgn_capacity(snr: np.ndarray | float) -> np.ndarray:
    """AWGN capacity in bit per complex channel use. snr: linear Es/N0, any shape."""
    return np.log2(1.0 + np.asarray(snr, dtype=float))


def rayleigh_ergodic_capacity(snr: np.ndarray | float) -> np.ndarray:
    """Ergodic capacity of Rayleigh fading with receiver CSI, bit per channel use.

    E[log2(1 + snr g)], g ~ Exp(1), equals exp(1/snr) E1(1/snr) / ln 2 (E1: exponential integral).
    Uses the scaled form for small snr where exp(1/snr) overflows.
    """
    snr = np.asarray(snr, dtype=float)
    inv = 1.0 / snr
    small = inv > 500.0
    safe = np.where(small, 1.0, inv)
    direct = np.exp(safe) * exp1(safe)
    # e^x E1(x) ~ (1/x) (1 - 1/x + 2/x^2 - 6/x^3) for large x = 1/snr
    asymptotic = snr * (1.0 - snr + 2.0 * snr**2 - 6.0 * snr**3)
    return np.where(small, asymptotic, direct) / math.log(2.0)


def rayleigh_outage_probability(rate: float, snr: np.ndarray | float) -> np.ndarray:
    """P[log2(1 + snr |h|^2) < rate] for one block, h ~ CN(0, 1): 1 - exp(-(2^rate - 1) / snr)."""
    snr = np.asarray(snr, dtype=float)
    return -np.expm1(-(2.0**rate - 1.0) / snr)


def bits_in_channel_uses(channel_uses: int, snr: float, channel: str = "awgn") -> int:
    """Bits that fit in ``channel_uses`` complex uses at capacity: floor(k C(snr)).

    ``channel``: ``'awgn'`` (log2(1 + snr)) or ``'rayleigh'`` (ergodic capacity).
    """
    cap = awgn_capacity(snr) if channel == "awgn" else rayleigh_ergodic_capacity(snr)
    return math.floor(channel_uses * float(cap) + 1e-9)


def capacity_snr_db(spectral_efficiency: float) -> float:
    """The Es/N0 in dB at which AWGN capacity equals ``spectral_efficiency`` bit per use."""
    return 10.0 * math.log10(2.0**spectral_efficiency - 1.0)


def awgn_dispersion(snr: np.ndarray | float) -> np.ndarray:
    """Channel dispersion of complex AWGN, bit^2 per channel use: snr (snr + 2) / (snr + 1)^2 log2(e)^2."""
    snr = np.asarray(snr, dtype=float)
    return snr * (snr + 2.0) / (snr + 1.0) ** 2 * math.log2(math.e) ** 2


def awgn_normal_approximation_bler(info_bits: int, channel_uses: int, snr: np.ndarray | float) -> np.ndarray:
    """Best achievable BLER of ``info_bits`` bits in ``channel_uses`` complex AWGN uses (normal
    approximation): Q((n C - k + log2(n) / 2) / sqrt(n V)). A finite-length benchmark for a code
    of that size, tighter than capacity."""
    n = channel_uses
    cap = awgn_capacity(snr)
    return q_function((n * cap - info_bits + 0.5 * math.log2(n)) / np.sqrt(n * awgn_dispersion(snr)))


def q_function(x: np.ndarray) -> np.ndarray:
    """Gaussian tail Q(x) = P[N(0, 1) > x]."""
    return 0.5 * erfc(np.asarray(x, dtype=float) / math.sqrt(2.0))


def _gray(levels: int) -> list[int]:
    return [i ^ (i >> 1) for i in range(levels)]


@cache
def ber_tail_terms(modulation: str) -> tuple[tuple[float, float], ...]:
    """(w_i, a_i) with BER(snr) = sum_i w_i Q(sqrt(a_i snr)) exactly, for Gray square QAM / BPSK.

    Built from one Gray PAM dimension with L levels at spacing 2d: a point at level j sees noise
    of variance N0/2 per dimension; a bit is wrong when the received value falls into a decision
    interval whose label differs in that bit. Each interval edge contributes a tail
    Q(distance / sigma) = Q(sqrt(a snr)).
    """
    bits = MODULATIONS[modulation]
    if modulation == "bpsk":
        return ((1.0, 2.0),)  # Q(sqrt(2 Es/N0))
    per_dim_bits = bits // 2
    levels = 2**per_dim_bits
    labels = _gray(levels)
    # unit average symbol energy: E_s = 2 * d^2 (L^2 - 1) / 3 = 1
    d = math.sqrt(3.0 / (2.0 * (levels**2 - 1)))
    points = [(2 * j - levels + 1) * d for j in range(levels)]
    terms: dict[float, float] = {}
    for j, pj in enumerate(points):
        for b in range(per_dim_bits):
            own = (labels[j] >> b) & 1
            for r in range(levels):
                if ((labels[r] >> b) & 1) == own:
                    continue
                # interval of point r: [lo, hi); P = Q((lo - pj)/s) - Q((hi - pj)/s) for lo > pj
                lo = -math.inf if r == 0 else (points[r - 1] + points[r]) / 2
                hi = math.inf if r == levels - 1 else (points[r] + points[r + 1]) / 2
                for edge, sign in ((lo, 1.0), (hi, -1.0)):
                    if math.isinf(edge):
                        continue
                    dist = edge - pj
                    # Q(dist/s) for dist > 0, 1 - Q(|dist|/s) for dist < 0 (the 1s cancel in pairs)
                    sgn = sign if dist > 0 else -sign
                    # sigma^2 = N0/2 = 1/(2 snr): (dist / sigma)^2 = 2 dist^2 snr
                    a = round(2.0 * dist * dist, 12)
                    terms[a] = terms.get(a, 0.0) + sgn
    norm = levels * per_dim_bits  # average over points and bits of one dimension
    return tuple((w / norm, a) for a, w in sorted(terms.items()) if abs(w) > 1e-12)


def uncoded_ber(modulation: str, snr: np.ndarray | float, channel: str = "awgn") -> np.ndarray:
    """Exact uncoded BER of Gray-coded ``modulation`` at linear Es/N0 ``snr``.

    channel: ``'awgn'``, or ``'rayleigh'`` (average over h ~ CN(0, 1) with perfect CSI; the same
    for block and fast fading since the BER is a per-symbol average).
    """
    snr = np.asarray(snr, dtype=float)
    total = np.zeros_like(snr)
    for w, a in ber_tail_terms(modulation):
        if channel == "awgn":
            total = total + w * q_function(np.sqrt(a * snr))
        else:
            total = total + w * 0.5 * (1.0 - np.sqrt(a * snr / (2.0 + a * snr)))
    return total
