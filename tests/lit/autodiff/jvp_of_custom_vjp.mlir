// RUN: not irax-opt %s --irax-expand-jvp 2>&1 | FileCheck %s

// Forward mode through a function with only a custom VJP is an error (as in
// JAX); it names the function (its `function` attribute, else the callee)
// and the user's line.
// CHECK: model.py:9: error: can't apply forward-mode autodiff (jvp) to a custom_vjp function (g); define it with custom_jvp
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
  return %x, %x : tensor<f32>, tensor<f32>
}
func.func private @g_bwd(%r: tensor<f32>, %ct: tensor<f32>) -> tensor<f32> {
  return %ct : tensor<f32>
}
