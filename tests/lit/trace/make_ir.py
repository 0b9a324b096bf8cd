# RUN: %python %s | FileCheck %s
# Tracing records one irax op per primitive, located at the user's line.
import irax
import irax.numpy as jnp


def f(x, y):
    z = jnp.tanh(x @ y)
    return z + 1.0


print(irax.make_ir(f)(jnp.ones((2, 3)), jnp.ones((3, 4))).text(debug_info=True))
# CHECK: func.func @f(%arg0: tensor<2x3xf32>{{.*}}, %arg1: tensor<3x4xf32>{{.*}}) -> tensor<2x4xf32>
# CHECK: "irax.dot_general"(%arg0, %arg1) {{.*}}lhs_contracting = array<i64: 1>{{.*}}rhs_contracting = array<i64: 0>{{.*}} loc(#[[L8:loc[0-9]*]])
# CHECK: "irax.tanh"{{.*}} loc(#[[L8]])
# CHECK: "irax.constant"() {value = dense<1.000000e+00> : tensor<f32>}{{.*}} loc(#[[L9:loc[0-9]*]])
# CHECK: "irax.broadcast_in_dim"{{.*}} loc(#[[L9]])
# CHECK: "irax.add"{{.*}} loc(#[[L9]])
# CHECK: #[[L8]] = loc("{{.*}}make_ir.py":8:
# CHECK: #[[L9]] = loc("{{.*}}make_ir.py":9:
