// RUN: irax-opt %s --irax-expand-vmap | FileCheck %s

// Elementwise ops keep the batch dim where it is (axis 1 in, axis 1 out):
// no transposes.  The callee is inlined and removed.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[Y:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[S:.*]] = "irax.sin"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[M:.*]] = "irax.mul"(%[[S]], %[[Y]]) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[M]]
// CHECK-NOT: transpose
// CHECK-NOT: @f
func.func private @f(%x: tensor<2xf32>, %y: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "irax.sin"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  %1 = "irax.mul"(%0, %y) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %1 : tensor<2xf32>
}
func.func @main(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "irax.vmap"(%x, %y) {callee = @f, in_axes = array<i64: 1, 1>, out_axes = array<i64: 1>, axis_size = 3 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
