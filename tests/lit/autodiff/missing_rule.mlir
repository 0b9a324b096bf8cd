// RUN: not irax-opt %s --irax-expand-jvp 2>&1 | FileCheck %s

// cummax has no JVP rule yet: the error names the primitive, the transform
// and the user's line.
// CHECK: model.py:3: error: no JVP rule for 'irax.cummax'
func.func @main(%x: tensor<3xf32>, %t: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %r:2 = "irax.jvp"(%x, %t) {callee = @f, argnums = array<i64: 0>} : (tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %r#0, %r#1 : tensor<3xf32>, tensor<3xf32>
}
func.func private @f(%x: tensor<3xf32>) -> tensor<3xf32> {
  %c = "irax.cummax"(%x) {axis = 0 : i64, reverse = false} : (tensor<3xf32>) -> tensor<3xf32> loc("model.py":3:0)
  return %c : tensor<3xf32>
}
