"""The numpy seed of a DataLoader worker: PyTorch's hash of (base_seed, worker_id).

numpy's legacy ``np.random.seed`` takes at most 32 bits per word, and seeding every worker with
``base_seed + worker_id`` directly would give neighbouring workers correlated streams, so
PyTorch mixes the two numbers with the hashing of numpy's ``SeedSequence`` into four 32-bit
words. Reproduced exactly, so a worker's numpy draws match PyTorch's.
"""

from __future__ import annotations

MASK32 = 0xFFFFFFFF
INIT_A = 0x43B0D7E5
MULT_A = 0x931E8875
INIT_B = 0x8B51F9DD
MULT_B = 0x58F38DED
MIX_MULT_L = 0xCA01F9DD
MIX_MULT_R = 0x4973F715
XSHIFT = 4 * 8 // 2


class _Hasher:
    """SeedSequence's multiplicative hash; its constant advances with every call."""

    def __init__(self, init: int, mult: int) -> None:
        self.const = init
        self.mult = mult

    def __call__(self, value: int) -> int:
        value = (value ^ self.const) & MASK32
        self.const = (self.const * self.mult) & MASK32
        value = (value * self.const) & MASK32
        return (value ^ (value >> XSHIFT)) & MASK32


def _mix(x: int, y: int) -> int:
    result = ((MIX_MULT_L * x) & MASK32) - ((MIX_MULT_R * y) & MASK32)
    result &= MASK32
    return (result ^ (result >> XSHIFT)) & MASK32


def _generate_state(base_seed: int, worker_id: int) -> list[int]:
    """Four 32-bit words for ``np.random.seed`` in worker ``worker_id``."""
    entropy = [worker_id, base_seed & MASK32, base_seed >> 32, 0]
    hash_a = _Hasher(INIT_A, MULT_A)
    pool = [hash_a(value) for value in entropy]
    # Every word is mixed with the hash of every other word, in SeedSequence's order.
    for i_src in range(len(pool)):
        for i_dst in range(len(pool)):
            if i_src != i_dst:
                pool[i_dst] = _mix(pool[i_dst], hash_a(pool[i_src]))
    hash_b = _Hasher(INIT_B, MULT_B)
    return [hash_b(value) for value in pool]
