# RUN: %python %s 2>&1 | FileCheck %s
# A shape error at trace time names the primitive, the operand types and the user's line.
import numpy as np

import irax
from irax import lax


def f(a, b):
    return lax.dot_general(a, b, (((1,), (0,)), ((), ())))


try:
    irax.make_ir(f)(np.ones((2, 3), np.float32), np.ones((4, 5), np.float32))
except irax.IraxTypeError as e:
    print(e)
# CHECK: irax.dot_general: contracting dimensions differ: lhs dim 1 has size 3, rhs dim 0 has size 4; got (f32[2,3], f32[4,5]) (at {{.*}}shape_error.py:10)
