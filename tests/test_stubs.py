"""The type stubs list every public function and Tensor method of the native module (regenerate
them with `python tools/gen_stubs.py` after adding an op)."""

import pathlib
import re

import ferrograd._C as C

STUB = (pathlib.Path(C.__file__).parent / "_C.pyi").read_text()
DECLARED = set(re.findall(r"^\s*def (\w+)", STUB, flags=re.MULTILINE)) | set(
    re.findall(r"^\s*(\w+)\s*:", STUB, flags=re.MULTILINE)
)


def test_every_tensor_method_has_a_stub():
    missing = [n for n in dir(C.Tensor) if not n.startswith("_") and n not in DECLARED]
    assert missing == []


def test_every_function_has_a_stub():
    missing = [
        n
        for n in dir(C)
        if not n.startswith("_") and n not in DECLARED and not isinstance(getattr(C, n), type)
    ]
    classes = [n for n in dir(C) if not n.startswith("_") and isinstance(getattr(C, n), type)]
    assert missing == []
    assert all(f"class {n}" in STUB or n in DECLARED for n in classes)
