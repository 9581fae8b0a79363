"""ferrograd: an educational, Rust-accelerated autograd engine with PyTorch's Python API.

`import ferrograd as torch` and the programs of the PyTorch tutorials run and print what
PyTorch prints. Every layer is meant to be read: start with `Tensor` (the Rust core, exposed
through `ferrograd._C`) and follow the imports.
"""

from . import _C
from ._C import (
    Tensor,
    arange,
    as_tensor,
    bfloat16,
    empty,
    empty_like,
    eye,
    float16,
    float32,
    float64,
    from_numpy,
    full,
    full_like,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    linspace,
    logspace,
    ones,
    ones_like,
    promote_types,
    range,
    result_type,
    set_default_dtype,
    tensor,
    uint8,
    zeros,
    zeros_like,
)
from ._C import (
    Generator,
    bernoulli,
    get_rng_state,
    initial_seed,
    manual_seed,
    multinomial,
    normal,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    seed,
    set_rng_state,
)
from ._C import bool as bool  # noqa: A004 - PyTorch shadows the builtin name too
from ._C import dtype as dtype
from ._device import device
from ._dtype_info import finfo, iinfo
from ._legacy import (
    BFloat16Tensor,
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
from ._size import Size
from ._storage import UntypedStorage
from ._tensor_str import get_printoptions, printoptions, set_printoptions
from ._view_functions import (
    as_strided,
    clone,
    detach,
    diagonal,
    flatten,
    is_floating_point,
    is_tensor,
    moveaxis,
    movedim,
    narrow,
    numel,
    permute,
    reshape,
    select,
    squeeze,
    swapaxes,
    swapdims,
    t,
    transpose,
    unflatten,
    unsqueeze,
)

# PyTorch's dtype aliases.
float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16

default_generator = _C._default_generator()

__version__ = "0.1.0"
