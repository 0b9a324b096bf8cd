// RUN: not irax-opt %s --irax-verify 2>&1 | FileCheck %s

// CHECK: error: irax.vjp: operands 1 has type f32[3] but @f needs f32[]
func.func @main(%x: tensor<3xf32>, %ct: tensor<3xf32>) -> tensor<3xf32> {
  %r:2 = "irax.vjp"(%x, %ct) {callee = @f, argnums = array<i64: 0>} : (tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) loc("model.py":7:0)
  return %r#1 : tensor<3xf32>
}
func.func private @f(%x: tensor<3xf32>) -> tensor<f32> {
  %s = "irax.reduce_sum"(%x) {axes = array<i64: 0>} : (tensor<3xf32>) -> tensor<f32>
  return %s : tensor<f32>
}
