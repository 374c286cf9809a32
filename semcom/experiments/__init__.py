"""Runners for the papers' experiments (``semcom experiment <name>``).

``dimvida``: DiMViDA (seed 003, Table II) on mvshapes: does generating the 3 missing views of a
single-view dataset help a classifier trained from scratch, at training and at test time?
"""
