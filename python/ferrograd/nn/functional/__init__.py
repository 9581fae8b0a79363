"""`ferrograd.nn.functional`: the functional form of every layer and loss (`import ... as F`).

A package rather than one long file: each theme (activations, losses, convolution, ...) lives in
its own file and lists its public names in `__all__`.
"""

# One line per file, added when the file lands.
from ._activation import *
from ._attention import *
from ._conv import *
from ._distance import *
from ._dropout import *
from ._embedding import *
from ._embedding_bag import *
from ._fold import *
from ._grid import *
from ._linear import *
from ._loss import *
from ._loss_binary import *
from ._loss_ctc import *
from ._loss_margin import *
from ._normalization import *
from ._padding import *
from ._pooling import *
from ._softmax import *
from ._upsampling import *
