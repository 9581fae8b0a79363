"""Neural-network building blocks: `Module` and its layers, `Parameter`, `functional`, `init`."""

from . import functional, init, utils
from .modules import *  # each module file lists its public names in __all__
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter
