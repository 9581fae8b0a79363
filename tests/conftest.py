"""Hypothesis profiles shared by the whole test suite, and the GPU tests' adapter.

`ci` (the default) is derandomized so every run draws the same examples and a failure
reproduces anywhere; `HYPOTHESIS_PROFILE=dev pytest` explores far more examples.
"""

from __future__ import annotations

import os

from hypothesis import settings

# The GPU tests run on whatever adapter there is, Mesa's software one included (ferrograd uses
# a software adapter only on request: it is far slower than the CPU backend).
os.environ.setdefault("FERROGRAD_WGPU_SOFTWARE", "1")

settings.register_profile("ci", derandomize=True, max_examples=40, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
