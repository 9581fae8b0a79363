"""Tensors from read-only numpy arrays (pandas 3 hands them out, e.g. `df.values`).
`as_tensor` and `from_numpy` share the array's memory, so they warn (PyTorch's UserWarning,
once per process, pointing at the caller's line); `tensor` copies and never warns. Each case
runs in a fresh interpreter: the once-per-process flag cannot be reset from inside."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import warnings

import ferrograd as torch
import numpy as np

MESSAGE = (
    "The given NumPy array is not writable, and ferrograd does not support non-writable "
    "tensors. This means writing to this tensor will result in undefined behavior. You may "
    "want to copy the array to protect its data or make it writable before converting it to "
    "a tensor. This type of warning will be suppressed for the rest of this program."
)


def warnings_of(calls: str) -> list[dict]:
    """Runs `calls` (one per line, with `a` a read-only float64 array) in a new interpreter
    that records every warning, and returns them."""
    script = textwrap.dedent(
        """
        import json, warnings
        import numpy as np
        import ferrograd as torch
        a = np.arange(3.0)
        a.flags.writeable = False
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
        {calls}
        print(json.dumps([
            {{"category": w.category.__name__, "message": str(w.message),
              "filename": w.filename, "lineno": w.lineno}}
            for w in caught
        ]))
        """
    ).format(calls=textwrap.indent(calls, "    "))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout)


def test_as_tensor_warns_once_at_the_callers_line():
    # In the script (whose first line is empty) the calls start at line 9.
    caught = warnings_of("t = torch.as_tensor(a)\nu = torch.as_tensor(a)\nv = torch.from_numpy(a)")
    assert caught == [
        {"category": "UserWarning", "message": MESSAGE, "filename": "<string>", "lineno": 9}
    ]


def test_from_numpy_warns():
    assert [w["message"] for w in warnings_of("t = torch.from_numpy(a)")] == [MESSAGE]


def test_as_tensor_with_a_conversion_warns_too():
    # PyTorch wraps the array first, then converts.
    assert len(warnings_of("t = torch.as_tensor(a, dtype=torch.float32)")) == 1


def test_tensor_copies_without_a_warning():
    assert warnings_of("t = torch.tensor(a)\nu = torch.tensor([1.0, 2.0])") == []


def test_the_values_come_through():
    a = np.arange(3.0)
    a.flags.writeable = False
    assert torch.tensor(a).tolist() == [0.0, 1.0, 2.0]
    # `tensor` copied: its memory is its own; `from_numpy` shares the array's.
    assert torch.tensor(a).data_ptr() != a.ctypes.data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the warning is tested in fresh interpreters above
        assert torch.from_numpy(a).data_ptr() == a.ctypes.data
