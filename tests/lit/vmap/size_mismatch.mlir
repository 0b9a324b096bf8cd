// RUN: not irax-opt %s --irax-expand-vmap 2>&1 | FileCheck %s

// The verifier of irax.vmap: every mapped operand/result axis has axis_size.
// CHECK: model.py:7: error: irax.vmap: mapped axes must all have size axis_size=3, but operand 1 (f32[4,2]) has size 4 along axis 0
func.func private @f(%x: tensor<2xf32>, %y: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "irax.add"(%x, %y) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
func.func @main(%x: tensor<3x2xf32>, %y: tensor<4x2xf32>) -> tensor<3x2xf32> {
  %0 = "irax.vmap"(%x, %y) {callee = @f, in_axes = array<i64: 0, 0>, out_axes = array<i64: 0>, axis_size = 3 : i64} : (tensor<3x2xf32>, tensor<4x2xf32>) -> tensor<3x2xf32> loc("model.py":7:0)
  return %0 : tensor<3x2xf32>
}
