"""ferrograd: an educational, Rust-accelerated autograd engine with PyTorch's Python API.

`import ferrograd as torch` and the programs of the PyTorch tutorials run and print what
PyTorch prints. Every layer is meant to be read: start with `Tensor` (the Rust core, exposed
through `ferrograd._C`) and follow the imports.
"""

from . import _C, autograd, linalg, return_types

# The operators. Each binding file (`rust/ferrograd-py/src/ops_*.rs`) registers its top-level
# functions in `_C`, most of them the very `Tensor` methods (`ferrograd.add is Tensor.add`);
# every public name there is public here.
from ._C import *
from ._C import (
    Generator,
    Tensor,
    arange,
    as_tensor,
    bernoulli,
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
    get_rng_state,
    initial_seed,
    int8,
    int16,
    int32,
    int64,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    linspace,
    logspace,
    manual_seed,
    multinomial,
    normal,
    ones,
    ones_like,
    promote_types,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    range,
    result_type,
    seed,
    set_anomaly_enabled,
    set_default_dtype,
    set_rng_state,
    tensor,
    uint8,
    zeros,
    zeros_like,
)
from ._C import bool as bool
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
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)

# PyTorch's dtype aliases.
float = float32
double = float64
half = float16
long = int64
int = int32
short = int16

default_generator = _C._default_generator()

__version__ = "0.1.0"

# The model-building layer, plain Python over the Tensor (imported last: it uses the names above).
from . import cuda, nn, optim, wgpu
from .serialization import load, save
