"""`irax.threefry2x32` → one elementwise linalg.generic computing the cipher per element
(Random123's Threefry-2x32, 20 rounds: the key schedule, then five groups of four
add/rotate/xor rounds, each group followed by a key injection)."""
from __future__ import annotations

from iree.compiler.dialects import arith

from . import builders as B
from .to_linalg import lowering

ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
KS_PARITY = 0x1BD11BDA


def _u32(x):
    return B.scalar_const("uint32", x)


def _rotl(x, r):
    return arith.ori(arith.shli(x, _u32(r)), arith.shrui(x, _u32(32 - r)))


def _cipher(k1, k2, x1, x2, *_outs):
    ks = (k1, k2, arith.xori(arith.xori(k1, k2), _u32(KS_PARITY)))
    x1, x2 = arith.addi(x1, ks[0]), arith.addi(x2, ks[1])
    for i in range(5):
        for r in ROTATIONS[i % 2]:
            x1 = arith.addi(x1, x2)
            x2 = arith.xori(x1, _rotl(x2, r))
        x1 = arith.addi(x1, ks[(i + 1) % 3])
        x2 = arith.addi(x2, arith.addi(ks[(i + 2) % 3], _u32(i + 1)))
    return [x1, x2]


@lowering("irax.threefry2x32")
def lower_threefry(c):
    n = c.out.ndim
    ident = B.identity_map(n)
    return B.generic(c.operands, [ident] * 4, [B.empty(c.out), B.empty(c.out)], [ident] * 2,
                     [B.PARALLEL] * n, _cipher)
