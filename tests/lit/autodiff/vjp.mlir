// RUN: irax-opt %s --irax-expand-vjp --irax-simplify | FileCheck %s

// grad of sum(x * w) with respect to x is w broadcast by the cotangent:
// the forward ops are re-emitted, then the reverse sweep transposes
// reduce_sum into broadcast_in_dim and mul into mul.
// CHECK-LABEL: func.func @main
// CHECK-NOT: irax.vjp
// CHECK: %[[M:.*]] = "irax.mul"(%arg0, %arg1)
// CHECK: %[[V:.*]] = "irax.reduce_sum"(%[[M]])
// CHECK: %[[B:.*]] = "irax.broadcast_in_dim"(%arg2) {{.*}}shape = array<i64: 4>
// CHECK: %[[G:.*]] = "irax.mul"(%[[B]], %arg1)
// CHECK: return %[[V]], %[[G]]
func.func @main(%x: tensor<4xf32>, %w: tensor<4xf32>, %ct: tensor<f32>) -> (tensor<f32>, tensor<4xf32>) {
  %r:2 = "irax.vjp"(%x, %w, %ct) {callee = @loss, argnums = array<i64: 0>} : (tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> (tensor<f32>, tensor<4xf32>)
  return %r#0, %r#1 : tensor<f32>, tensor<4xf32>
}
func.func private @loss(%x: tensor<4xf32>, %w: tensor<4xf32>) -> tensor<f32> {
  %m = "irax.mul"(%x, %w) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %s = "irax.reduce_sum"(%m) {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>
  return %s : tensor<f32>
}
