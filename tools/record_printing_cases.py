"""Record what PyTorch prints for many tensors into ``tests/printing_cases.py``.

Run with a Python that has torch installed:

    python tools/record_printing_cases.py

Every case is a Python expression that only uses the creation and view API that ferrograd shares
with PyTorch, so it can be evaluated with ``torch`` bound to either library. Next to PyTorch's
exact output the script stores the tensor's values, shape, dtype and autograd state, so that the
formatter can be tested without PyTorch (and before the rest of ferrograd exists).
"""

from __future__ import annotations

import math
import pathlib

import torch

OUTPUT = pathlib.Path(__file__).resolve().parents[1] / "tests" / "printing_cases.py"


def _floats(count: int, start: float, step: float) -> str:
    """A literal list of ``count`` floats, for rows long enough to wrap."""
    return repr([start + i * step for i in range(count)])


_INT_DTYPES = ["uint8", "int8", "int16", "int32", "int64"]
_FLOAT_DTYPES = ["float16", "bfloat16", "float32", "float64"]

# Scalars (0-d tensors): one of every dtype, plus the special float values.
SCALARS = [
    "torch.tensor(3.5)",
    "torch.tensor(2.0)",
    "torch.tensor(-0.0)",
    "torch.tensor(0.0)",
    "torch.tensor(float('nan'))",
    "torch.tensor(float('inf'))",
    "torch.tensor(float('-inf'))",
    "torch.tensor(1e-5)",
    "torch.tensor(123456789.0)",
    "torch.tensor(-2.5e-7)",
    "torch.tensor(7)",
    "torch.tensor(-9223372036854775807)",
    "torch.tensor(True)",
    "torch.tensor(False)",
    "torch.tensor(200, dtype=torch.uint8)",
    "torch.tensor(-7, dtype=torch.int8)",
    "torch.tensor(1000, dtype=torch.int16)",
    "torch.tensor(5, dtype=torch.int32)",
    "torch.tensor(1.5, dtype=torch.float16)",
    "torch.tensor(3.14159, dtype=torch.bfloat16)",
    "torch.tensor(2.718281828459045, dtype=torch.float64)",
    "torch.tensor(0.1, dtype=torch.float64)",
    "torch.tensor(1.5, requires_grad=True)",
    "torch.tensor(4.0, dtype=torch.float64, requires_grad=True)",
]

# Vectors: fixed point, integer-valued floats, scientific notation and its thresholds.
VECTORS = [
    "torch.tensor([1.0, 2.0, 3.0])",
    "torch.tensor([1.5, -2.25, 3.0])",
    "torch.tensor([0.1, 0.2, 0.3])",
    "torch.tensor([0.12345, 0.99995, -0.00015])",
    "torch.tensor([1e-5, 123456.0, 3.14159])",
    "torch.tensor([1e10, 1.0])",
    "torch.tensor([1e-10, 1e-12])",
    "torch.tensor([0.0001, 0.001])",
    "torch.tensor([0.001, 0.5])",
    "torch.tensor([1.0, 1000.0])",
    "torch.tensor([1.0, 1001.0])",
    "torch.tensor([1.5, 1000.0])",
    "torch.tensor([100000000.0, 1.0e6])",
    "torch.tensor([150000000.0])",
    "torch.tensor([12345.678, 99999.0])",
    "torch.tensor([123456.789, 0.5])",
    "torch.tensor([1e20, -1e-20])",
    "torch.tensor([3.4e38, -1.0e38])",
    "torch.tensor([1e-45, 1.0])",
    "torch.tensor([float('nan'), 1.0, float('inf'), float('-inf')])",
    "torch.tensor([float('nan'), 1.5, float('-inf')])",
    "torch.tensor([float('nan'), float('nan')])",
    "torch.tensor([float('inf'), float('-inf'), 0.0])",
    "torch.tensor([float('nan'), 1e-7, 3.0])",
    "torch.tensor([0.0, -0.0, 1.0])",
    "torch.tensor([-0.0, 1.5])",
    "torch.tensor([-0.0, 1e-6])",
    "torch.tensor([0.0, 0.0])",
    "torch.zeros(5)",
    "torch.ones(4)",
    "torch.full((3,), 7.0)",
    "torch.tensor([1, -2, 300])",
    "torch.tensor([9223372036854775807, -9223372036854775807, 0])",
    "torch.tensor([True, False, True])",
    "torch.tensor([True, True])",
    "torch.arange(10)",
    "torch.arange(0, 1, 0.1)",
    "torch.linspace(0, 1, 7)",
    "torch.linspace(-1, 1, 5, dtype=torch.float64)",
]

# Every dtype, through literals and through conversions.
DTYPES = [
    "torch.tensor([0, 255, 17], dtype=torch.uint8)",
    "torch.tensor([-128, 127, 0], dtype=torch.int8)",
    "torch.tensor([-32768, 32767, 5], dtype=torch.int16)",
    "torch.tensor([1, -2, 3], dtype=torch.int32)",
    "torch.tensor([2147483647, -2147483648], dtype=torch.int32)",
    "torch.tensor([1, 2, 3], dtype=torch.int64)",
    "torch.tensor([0.1, 1000.0, 65504.0], dtype=torch.float16)",
    "torch.tensor([1.5, 2.5, -3.0], dtype=torch.float16)",
    "torch.tensor([1.0, 2.0], dtype=torch.float16)",
    "torch.tensor([0.0001, 0.5], dtype=torch.float16)",
    "torch.tensor([3.14159, 2.71828, 1000.0], dtype=torch.bfloat16)",
    "torch.tensor([0.001, 1e30], dtype=torch.bfloat16)",
    "torch.tensor([1.0, -2.0, 3.0], dtype=torch.bfloat16)",
    "torch.tensor([0.1, 0.2], dtype=torch.float64)",
    "torch.tensor([1e-300, 1e300], dtype=torch.float64)",
    "torch.tensor([1.0, 2.0], dtype=torch.float64)",
    "torch.tensor([0.0, 1.0], dtype=torch.bool)",
    "torch.arange(5).float()",
    "torch.arange(5.0).double()",
    "torch.linspace(0, 1, 5).half()",
    "torch.linspace(0, 1, 5).bfloat16()",
    "torch.tensor([1.7, -2.3]).long()",
    "torch.tensor([1.7, -2.3]).int()",
    "torch.tensor([0.0, 2.0, -0.5]).bool()",
    "torch.arange(4).to(torch.int16)",
    "torch.tensor([1.5, 250.5]).to(torch.uint8)",
    "torch.arange(6).reshape(2, 3).to(torch.int8)",
    "torch.eye(3)",
    "torch.eye(2, dtype=torch.int32)",
    "torch.full((2, 2), -1.25, dtype=torch.float64)",
    "torch.ones(2, 3, dtype=torch.bool)",
]

# Higher ranks, views and the blank lines between blocks.
RANKS = [
    "torch.tensor([[1.0, 2.0], [3.0, 4.0]])",
    "torch.tensor([[1e10, 1.0], [2.0, 3.0]])",
    "torch.tensor([[-1.5, 2.25], [1000.5, -0.001]])",
    "torch.tensor([[1e-8, 1.0], [float('nan'), float('inf')]])",
    "torch.arange(12).reshape(3, 4)",
    "torch.arange(12.0).reshape(3, 4).t()",
    "torch.arange(6).view(2, 3).transpose(0, 1)",
    "torch.arange(10)[2:5]",
    "torch.arange(20).reshape(4, 5)[1:3, ::2]",
    "torch.arange(24.0).reshape(2, 3, 4)[:, 1:2]",
    "torch.arange(24).reshape(2, 3, 4)",
    "torch.arange(24.0).reshape(2, 3, 4)",
    "torch.arange(8.0).reshape(2, 2, 2).permute(2, 0, 1)",
    "torch.ones(2, 2, 2, dtype=torch.bool)",
    "torch.arange(16).reshape(2, 2, 2, 2)",
    "torch.arange(36.0).reshape(1, 2, 3, 6)",
    "torch.arange(32).reshape(2, 2, 2, 2, 2)",
    "torch.zeros(1, 1, 1, 1, 1, 2)",
    "torch.tensor([[[1.5]]], dtype=torch.float16)",
]

# Rows longer than the 80-column line width, at several nesting depths and element widths.
WRAPPING = [
    "torch.arange(30.0)",
    "torch.arange(40)",
    "torch.arange(100)",
    "torch.linspace(0, 100, 50)",
    "torch.arange(40.0).reshape(2, 20)",
    "torch.arange(60.0).reshape(3, 20)",
    "torch.linspace(-5, 5, 44).reshape(2, 2, 11)",
    f"torch.tensor({_floats(20, 1234.5678, 1.0)})",
    f"torch.tensor({[10**12 + i for i in range(12)]})",
    f"torch.tensor({_floats(25, 0.5, 1e5)})",
    "torch.arange(30).to(torch.uint8)",
    f"torch.tensor({[i % 2 == 0 for i in range(20)]})",
]

# More than 1000 elements: only edgeitems rows/columns are shown around "...".
SUMMARISED = [
    "torch.arange(2000).reshape(40, 50)",
    "torch.arange(1200.0)",
    "torch.arange(1001)",
    "torch.arange(1000)",
    "torch.arange(3000.0).reshape(10, 300)",
    "torch.arange(1100).reshape(1100, 1)",
    "torch.ones(2, 600)",
    "torch.arange(2400).reshape(20, 10, 12)",
    "torch.arange(2401.0).reshape(7, 7, 7, 7)",
    "torch.arange(1500.0).reshape(3, 500)",
    "torch.linspace(0, 1, 1500)",
    "torch.linspace(-1e6, 1e-3, 1100)",
    "torch.arange(1200).reshape(2, 600).bool()",
    "torch.arange(2000).reshape(1000, 2).half()",
]

# Autograd suffixes, including where they wrap onto their own line.
AUTOGRAD = [
    "torch.tensor([1.0, 2.0], requires_grad=True)",
    "torch.tensor([[1.5, 2.5], [3.5, 4.5]], requires_grad=True)",
    f"torch.tensor({_floats(7, 1.5, 1.0)}, requires_grad=True)",
    f"torch.tensor({_floats(8, 1.5, 1.0)}, requires_grad=True)",
    f"torch.tensor({_floats(9, 1.5, 1.0)}, requires_grad=True)",
    f"torch.tensor({_floats(15, 1.5, 1.0)}, requires_grad=True)",
    f"torch.tensor({_floats(17, 1.0, 1.0)}, requires_grad=True)",
    f"torch.tensor({_floats(18, 1.0, 1.0)}, requires_grad=True)",
    f"torch.tensor({_floats(5, 1.5, 1.0)}, dtype=torch.float64, requires_grad=True)",
    f"torch.tensor({_floats(6, 1.5, 1.0)}, dtype=torch.float64, requires_grad=True)",
    "torch.tensor([1.5, 2.0], dtype=torch.float16, requires_grad=True)",
    "torch.tensor([], requires_grad=True)",
    "torch.tensor([1.5, 2.0, 3.0, 4.0], requires_grad=True).reshape(2, 2)",
    "torch.tensor([[1.5, 2.0], [3.0, 4.0]], requires_grad=True).t()",
    "torch.tensor([1.5, 2.0, 3.0], requires_grad=True)[0:2]",
    "torch.tensor([1.5, 2.0], requires_grad=True).double()",
]

# Empty tensors: the shape and dtype suffixes follow their own rules.
EMPTY = [
    "torch.tensor([])",
    "torch.zeros(0)",
    "torch.zeros(0, 3)",
    "torch.zeros(2, 0)",
    "torch.zeros(0, 2, 3, dtype=torch.float64)",
    "torch.arange(0)",
    "torch.tensor([], dtype=torch.int32)",
    "torch.tensor([], dtype=torch.int64)",
    "torch.tensor([], dtype=torch.bool)",
    "torch.ones(3, 0, dtype=torch.float16)",
    "torch.zeros(0, dtype=torch.bfloat16)",
    "torch.zeros(0, 4, dtype=torch.uint8)",
    "torch.arange(12).reshape(3, 4)[3:]",
]

CASE_EXPRESSIONS = SCALARS + VECTORS + DTYPES + RANKS + WRAPPING + SUMMARISED + AUTOGRAD + EMPTY

# (options passed to set_printoptions, expression) pairs.
OPTION_EXPRESSIONS = [
    ({"precision": 2}, "torch.tensor([1.12345, 2.5])"),
    ({"precision": 0}, "torch.tensor([1.5, 2.5, 3.7])"),
    ({"precision": 10}, "torch.tensor([0.1, 0.25])"),
    ({"precision": 6, "sci_mode": True}, "torch.tensor(1e-10)"),
    ({"threshold": 5}, "torch.arange(10)"),
    ({"threshold": 0}, "torch.tensor(3.5)"),
    ({"edgeitems": 1, "threshold": 5}, "torch.arange(10)"),
    ({"edgeitems": 1, "threshold": 5}, "torch.arange(24.0).reshape(2, 3, 4)"),
    ({"edgeitems": 0, "threshold": 5}, "torch.arange(10)"),
    ({"edgeitems": 0, "threshold": 5}, "torch.arange(20).reshape(4, 5)"),
    ({"edgeitems": 0}, "torch.tensor([1.5, 2.5])"),
    ({"edgeitems": 5}, "torch.arange(1200.0)"),
    ({"linewidth": 40}, "torch.arange(30.0)"),
    ({"linewidth": 20}, "torch.tensor([1.5, 2.5, 3.5], requires_grad=True)"),
    ({"linewidth": 120}, "torch.arange(30.0).reshape(2, 15)"),
    ({"sci_mode": True}, "torch.tensor([1.5, 2.0])"),
    ({"sci_mode": True}, "torch.tensor([float('nan'), -0.0, 2.0])"),
    ({"sci_mode": False}, "torch.tensor([1e-5, 1e10])"),
    ({"sci_mode": False}, "torch.tensor([1e-5, 0.5])"),
    ({"profile": "short"}, "torch.tensor([1.12345, 2.0])"),
    ({"profile": "short"}, "torch.arange(2000).reshape(40, 50)"),
    ({"profile": "full"}, "torch.arange(1200)"),
    ({"profile": "full", "linewidth": 60}, "torch.arange(1100.0).reshape(10, 110)[:2]"),
    ({"profile": "short", "precision": 3}, "torch.tensor([3.14159])"),
]

# Printed while torch.set_default_dtype(torch.float64) is in effect.
DEFAULT_FLOAT64_EXPRESSIONS = [
    "torch.tensor([1.5, 2.0])",
    "torch.tensor([1.5, 2.0], dtype=torch.float32)",
    "torch.tensor([])",
    "torch.tensor([], dtype=torch.float32)",
    "torch.tensor([1 + 2j])",
    "torch.tensor([1 + 2j], dtype=torch.complex64)",
]

# Complex tensors, kept apart because ferrograd does not need to create them.
COMPLEX_EXPRESSIONS = [
    "torch.tensor([1 + 2j, -3.5 - 0.5j])",
    "torch.tensor(1 + 1j)",
    "torch.tensor([[1j, 2], [3, 4 - 1j]], dtype=torch.complex128)",
    "torch.tensor([1e-5 + 1j, 2 - 0j])",
    "torch.tensor([], dtype=torch.complex64)",
]


def _value_literal(value: object) -> str:
    """Python source for one element; nan and inf refer to names defined in the output file."""
    if isinstance(value, complex):
        return f"complex({_value_literal(value.real)}, {_value_literal(value.imag)})"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return repr(value)


def record(expression: str, **extra: object) -> dict:
    """Evaluate one expression with PyTorch and describe the resulting tensor."""
    tensor = eval(expression, {"torch": torch})
    text = repr(tensor)
    assert str(tensor) == text, expression
    values = tensor.detach()
    if values.dtype in (torch.float16, torch.bfloat16):
        values = values.float()  # exact, and tolist() then gives plain Python floats
    case = {
        "expr": expression,
        "expected": text.replace("dtype=torch.", "dtype=ferrograd."),
        "dtype": str(tensor.dtype).removeprefix("torch."),
        "shape": list(tensor.shape),
        "requires_grad": tensor.requires_grad,
        "grad_fn": type(tensor.grad_fn).__name__ if tensor.grad_fn is not None else None,
        **extra,
        "values": values.reshape(-1).tolist(),
    }
    return case


def _case_source(case: dict) -> str:
    lines = ["    {"]
    for key, value in case.items():
        if key == "values":
            text = "[" + ", ".join(_value_literal(v) for v in value) + "]"
        else:
            text = repr(value)
        lines.append(f"        {key!r}: {text},")
    lines.append("    },")
    return "\n".join(lines)


def _list_source(name: str, comment: str, cases: list[dict]) -> str:
    body = "\n".join(_case_source(case) for case in cases)
    return f"# {comment}\n{name} = [\n{body}\n]\n"


def main() -> None:
    cases = [record(expr) for expr in CASE_EXPRESSIONS]
    option_cases = []
    for options, expr in OPTION_EXPRESSIONS:
        torch.set_printoptions(**options)
        try:
            option_cases.append(record(expr, options=options))
        finally:
            torch.set_printoptions(profile="default")  # also puts sci_mode back to None
    previous_default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        default_cases = [record(e, default_dtype="float64") for e in DEFAULT_FLOAT64_EXPRESSIONS]
    finally:
        torch.set_default_dtype(previous_default)
    complex_cases = [record(expr) for expr in COMPLEX_EXPRESSIONS]

    header = (
        f'"""PyTorch {torch.__version__.split("+")[0]} printing, recorded by '
        "tools/record_printing_cases.py; do not edit by hand.\n\n"
        "Each case holds an expression valid for both torch and ferrograd, PyTorch's repr of it\n"
        '(with "dtype=ferrograd."), and the tensor\'s flattened values, shape and dtype.\n"""\n\n'
        "# fmt: off\n"
        'nan = float("nan")\n'
        'inf = float("inf")\n\n'
    )
    sections = [
        _list_source("CASES", "Printed with the default options.", cases),
        _list_source("OPTION_CASES", "Printed after set_printoptions(**options).", option_cases),
        _list_source(
            "DEFAULT_FLOAT64_CASES", "Printed with float64 as the default dtype.", default_cases
        ),
        _list_source("COMPLEX_CASES", "Complex tensors (optional for ferrograd).", complex_cases),
    ]
    OUTPUT.write_text(header + "\n\n".join(sections))
    total = len(cases) + len(option_cases) + len(default_cases) + len(complex_cases)
    print(f"wrote {total} cases to {OUTPUT}")


if __name__ == "__main__":
    main()
