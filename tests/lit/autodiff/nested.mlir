// RUN: irax-opt %s --irax-expand --irax-simplify | FileCheck %s

// grad(grad(x^3)): the inner irax.vjp (in @g) is expanded first, then the
// outer one differentiates the result.  6x remains, as 3*x*2-style products.
// CHECK-LABEL: func.func @main
// CHECK-NOT: irax.vjp
// CHECK-NOT: func.func private
func.func @main(%x: tensor<f32>) -> tensor<f32> {
  %one = "irax.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %r:2 = "irax.vjp"(%x, %one) {callee = @g, argnums = array<i64: 0>} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %r#1 : tensor<f32>
}
func.func private @g(%x: tensor<f32>) -> tensor<f32> {
  %one = "irax.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %r:2 = "irax.vjp"(%x, %one) {callee = @cube, argnums = array<i64: 0>} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %r#1 : tensor<f32>
}
func.func private @cube(%x: tensor<f32>) -> tensor<f32> {
  %c = "irax.integer_pow"(%x) {y = 3 : i64} : (tensor<f32>) -> tensor<f32>
  return %c : tensor<f32>
}
