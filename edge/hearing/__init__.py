"""Hearing the technician through machinery noise and in voices edge was never tuned on.

Noise suppression in the capture path, recognition biased to the manuals, and the test set
(voices, machinery noise, rooms) that measures both.

- :mod:`edge.hearing.denoise`: suppressors (``denoise`` engines) over a stream of any blocks;
- :mod:`edge.hearing.bias`: restoring codes, units, numbers and command words from the manuals;
- :mod:`edge.hearing.testset`, :mod:`edge.hearing.noises`, :mod:`edge.hearing.mix`: the test set.
"""
