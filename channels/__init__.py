"""The physical layer of semcom, built on Sionna 2.x (PyTorch).

Conventions (everywhere in this package):

* SNR is Es/N0 in dB per complex channel symbol; transmitted symbols have unit average energy
  and the noise is CN(0, N0) with N0 = 10^(-SNR/10).
* Bandwidth is counted in complex channel uses.
* The SNR is given per call (a float or a tensor ``[B]``, one value per sample), never fixed
  when an object is built, so an SNR sweep never rebuilds anything.
* Every random draw takes a ``torch.Generator``: same seed, same output bits.

Modules (import them directly; this file stays light so that ``import channels`` does not pay
for Sionna):

* :mod:`channels.spec`        names: channels, modulations, code rates, SNR parsing
* :mod:`channels.channel`     AWGN / block / fast Rayleigh: draw a realisation, apply, equalise
* :mod:`channels.digital`     CRC + 5G LDPC + QAM link with exact channel-use accounting
* :mod:`channels.mcs`         MCS table (modulation x code rate)
* :mod:`channels.abstraction` SNR -> BLER tables per MCS, best-MCS selection
* :mod:`channels.analog`      analog (DeepJSCC-style) link, differentiable
* :mod:`channels.limits`      capacities, outage, closed-form uncoded BER
* :mod:`channels.simulate`    Monte-Carlo BER/BLER points (stop at target errors or a cap)
* :mod:`channels.cli`         ``semcom link ...``
"""
