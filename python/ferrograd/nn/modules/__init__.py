"""The layers of `ferrograd.nn`, one theme per file; each file lists its public names in `__all__`."""

# One line per file, added when the file lands.
from .activation import *
from .attention import *
from .batchnorm import *
from .container import *
from .conv import *
from .distance import *
from .dropout import *
from .flatten import *
from .fold import *
from .instancenorm import *
from .linear import *
from .loss import *
from .loss_margin import *
from .module import *
from .normalization import *
from .padding import *
from .pixelshuffle import *
from .pooling import *
from .rnn import *
from .rnn_cell import *
from .sparse import *
from .transformer import *
from .upsampling import *
