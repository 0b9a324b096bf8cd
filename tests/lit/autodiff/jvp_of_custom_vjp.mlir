// RUN: irax-opt %s --irax-expand-jvp | FileCheck %s

// A custom_vjp call reaches a JVP only outside the reverse transform it was
// traced for (the primal outputs of `vjp` under jacfwd, as in a hessian):
// jvp applied to a custom_vjp function directly is rejected when tracing (a
// TypeError, as in JAX).  The JVP differentiates the user's fwd (here sin),
// not the primal function @g (the identity).
// CHECK-LABEL: func.func @main
// CHECK-NOT: irax.custom_vjp_call
// CHECK: "irax.sin"
// CHECK: "irax.cos"
// CHECK: return
func.func @main(%x: tensor<f32>, %t: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %r:2 = "irax.jvp"(%x, %t) {callee = @f, argnums = array<i64: 0>} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %r#0, %r#1 : tensor<f32>, tensor<f32>
}
func.func private @f(%x: tensor<f32>) -> tensor<f32> {
  %y = "irax.custom_vjp_call"(%x) {callee = @g, fwd = @g_fwd, bwd = @g_bwd, num_args = 1, num_callee_captures = 0, num_fwd_captures = 0} : (tensor<f32>) -> tensor<f32> loc("model.py":9:0)
  return %y : tensor<f32>
}
func.func private @g(%x: tensor<f32>) -> tensor<f32> {
  return %x : tensor<f32>
}
func.func private @g_fwd(%x: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %s = "irax.sin"(%x) : (tensor<f32>) -> tensor<f32>
  return %s, %x : tensor<f32>, tensor<f32>
}
func.func private @g_bwd(%r: tensor<f32>, %ct: tensor<f32>) -> tensor<f32> {
  return %ct : tensor<f32>
}
