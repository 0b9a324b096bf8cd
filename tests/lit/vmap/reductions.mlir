// RUN: irax-opt %s --irax-expand-vmap | FileCheck %s

// The reduced axes shift past the batch dim (at 1); the batch dim of the
// result is 1 minus the reduced axes before it; argmax likewise.
// CHECK-LABEL: func.func @main
// CHECK-NEXT: %[[S:.*]] = "irax.reduce_sum"(%arg0) {axes = array<i64: 0, 2>} : (tensor<2x5x3x4xf32>) -> tensor<5x4xf32>
// CHECK-NEXT: %[[A:.*]] = "irax.argmax"(%arg0) {axis = 3 : i64, index_dtype = i32} : (tensor<2x5x3x4xf32>) -> tensor<2x5x3xi32>
// CHECK-NEXT: %[[T:.*]] = "irax.transpose"(%[[A]]) {permutation = array<i64: 1, 0, 2>} : (tensor<2x5x3xi32>) -> tensor<5x2x3xi32>
// CHECK-NEXT: return %[[S]], %[[T]]
func.func private @f(%x: tensor<2x3x4xf32>) -> (tensor<4xf32>, tensor<2x3xi32>) {
  %0 = "irax.reduce_sum"(%x) {axes = array<i64: 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4xf32>
  %1 = "irax.argmax"(%x) {axis = 2 : i64, index_dtype = i32} : (tensor<2x3x4xf32>) -> tensor<2x3xi32>
  return %0, %1 : tensor<4xf32>, tensor<2x3xi32>
}
func.func @main(%x: tensor<2x5x3x4xf32>) -> (tensor<5x4xf32>, tensor<5x2x3xi32>) {
  %0:2 = "irax.vmap"(%x) {callee = @f, in_axes = array<i64: 1>, out_axes = array<i64: 0, 0>, axis_size = 5 : i64} : (tensor<2x5x3x4xf32>) -> (tensor<5x4xf32>, tensor<5x2x3xi32>)
  return %0#0, %0#1 : tensor<5x4xf32>, tensor<5x2x3xi32>
}
