"""`ferrograd.nn.utils`: gradient clipping, parameter vectors, and the `rnn` packing helpers."""

# One line per file, added when the file lands.
from . import parametrizations, parametrize, rnn
from .clip_grad import *
from .convert_parameters import *
from .spectral_norm import *
from .weight_norm import *
