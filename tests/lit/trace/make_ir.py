# RUN: %python %s | FileCheck %s
import irax
import irax.numpy as jnp


def f(x, y):
    return jnp.tanh(x @ y) + 1.0


print(irax.make_ir(f)(jnp.ones((2, 3)), jnp.ones((3, 4))).text(debug_info=True))
# CHECK: func.func @f(%arg0: tensor<2x3xf32>{{.*}}, %arg1: tensor<3x4xf32>{{.*}}) -> tensor<2x4xf32>
# CHECK: "irax.dot_general"(%arg0, %arg1) {{.*}}lhs_contracting = array<i64: 1>{{.*}}rhs_contracting = array<i64: 0>
# CHECK: "irax.tanh"
# CHECK: "irax.add"
# CHECK: loc("{{.*}}make_ir.py":7:
