// RUN: irax-opt %s --irax-expand-vmap | FileCheck %s

// An unbatched operand (in_axes -1) of a binary op is broadcast along the
// batch dim (here the batched operand's dim 0); its batch dim moves once, to
// out_axes 1, at the end.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:.*]]: tensor<4x2xf32>, %[[B:.*]]: tensor<2xf32>)
// CHECK-NEXT: %[[BB:.*]] = "irax.broadcast_in_dim"(%[[B]]) {broadcast_dimensions = array<i64: 1>, shape = array<i64: 4, 2>} : (tensor<2xf32>) -> tensor<4x2xf32>
// CHECK-NEXT: %[[A:.*]] = "irax.add"(%[[X]], %[[BB]]) : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
// CHECK-NEXT: %[[T:.*]] = "irax.tanh"(%[[A]])
// CHECK-NEXT: %[[R:.*]] = "irax.transpose"(%[[T]]) {permutation = array<i64: 1, 0>} : (tensor<4x2xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: return %[[R]]
func.func private @f(%x: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "irax.add"(%x, %b) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = "irax.tanh"(%0) : (tensor<2xf32>) -> tensor<2xf32>
  return %1 : tensor<2xf32>
}
func.func @main(%x: tensor<4x2xf32>, %b: tensor<2xf32>) -> tensor<2x4xf32> {
  %0 = "irax.vmap"(%x, %b) {callee = @f, in_axes = array<i64: 0, -1>, out_axes = array<i64: 1>, axis_size = 4 : i64} : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
