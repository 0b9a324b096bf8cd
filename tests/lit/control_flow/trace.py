# RUN: %python %s | FileCheck %s
# Tracing: each branch/body becomes a region; closure captures become operands.
import irax
import irax.numpy as jnp
from irax import lax


def f(x, w):
    def step(c, xi):
        return c * w + xi, c
    c, ys = lax.scan(step, 0.0, x)
    return lax.cond(c > 0, lambda y: y * 2.0, jnp.negative, ys)


print(irax.make_ir(f)(jnp.ones(3), 0.5).text(debug_info=True))
# CHECK: #[[SCAN:loc[0-9]+]] = loc("{{.*}}trace.py":11:0)
# CHECK: #[[COND:loc[0-9]+]] = loc("{{.*}}trace.py":12:0)
# CHECK: func.func @f(%arg0: tensor<3xf32>{{.*}}, %arg1: tensor<f32>{{.*}})
# The captured weight %arg1 is a loop invariant (num_consts = 1), the first operand.
# CHECK: "irax.scan"(%arg1, %{{.*}}, %arg0) ({
# CHECK-NEXT: ^bb0(%{{.*}}: tensor<f32>{{.*}}, %{{.*}}: tensor<f32>{{.*}}, %{{.*}}: tensor<f32>{{.*}}):
# CHECK-NEXT: "irax.mul"{{.*}} loc(#[[BODY:loc[0-9]+]])
# CHECK: "irax.yield"
# CHECK: {length = 3 : i64, num_carry = 1 : i64, num_consts = 1 : i64, reverse = false}
# CHECK-SAME: loc(#[[SCAN]])
# CHECK: "irax.cond"
# CHECK: "irax.neg"
# CHECK: "irax.yield"
# CHECK: "irax.mul"
# CHECK: "irax.yield"
# CHECK: loc(#[[COND]])
# CHECK: #[[BODY]] = loc("{{.*}}trace.py":10:0)
