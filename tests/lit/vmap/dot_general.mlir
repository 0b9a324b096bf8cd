// RUN: irax-opt %s --irax-expand-vmap | FileCheck %s

// Both operands batched: ONE dot_general with the batch as a batch dimension,
// in the [B,M,K] x [B,K,N] form that lowers to linalg.batch_matmul.
// CHECK-LABEL: func.func @both
// CHECK-NEXT: %[[D:.*]] = "irax.dot_general"(%arg0, %arg1) {lhs_batch = array<i64: 0>, lhs_contracting = array<i64: 2>, rhs_batch = array<i64: 0>, rhs_contracting = array<i64: 1>} : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
// CHECK-NEXT: return %[[D]]

// Only the matrix batched (in_axes 1): the batch dim folds into the rows of
// a 2-D product (linalg.matmul) by reshapes; the one transpose is the move
// to out_axes 0.
// CHECK-LABEL: func.func @lhs_only
// CHECK-NEXT: %[[R:.*]] = "irax.reshape"(%arg0) {new_sizes = array<i64: 10, 3>} : (tensor<2x5x3xf32>) -> tensor<10x3xf32>
// CHECK-NEXT: %[[D:.*]] = "irax.dot_general"(%[[R]], %arg1) {lhs_batch = array<i64>, lhs_contracting = array<i64: 1>, rhs_batch = array<i64>, rhs_contracting = array<i64: 0>} : (tensor<10x3xf32>, tensor<3x4xf32>) -> tensor<10x4xf32>
// CHECK-NEXT: %[[S:.*]] = "irax.reshape"(%[[D]]) {new_sizes = array<i64: 2, 5, 4>}
// CHECK-NEXT: %[[T:.*]] = "irax.transpose"(%[[S]]) {permutation = array<i64: 1, 0, 2>}
// CHECK-NEXT: return %[[T]]

// Matrix-vector product with the vector batched: X @ A^T, a plain matmul
// [B, K] x [K, M] (the unbatched matrix is the one transposed).
// CHECK-LABEL: func.func @matvec
// CHECK-NEXT: %[[AT:.*]] = "irax.transpose"(%arg0) {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: %[[D:.*]] = "irax.dot_general"(%arg1, %[[AT]]) {lhs_batch = array<i64>, lhs_contracting = array<i64: 1>, rhs_batch = array<i64>, rhs_contracting = array<i64: 0>} : (tensor<5x3xf32>, tensor<3x2xf32>) -> tensor<5x2xf32>
// CHECK-NEXT: return %[[D]]
func.func private @mm(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = "irax.dot_general"(%a, %b) {lhs_contracting = array<i64: 1>, rhs_contracting = array<i64: 0>, lhs_batch = array<i64>, rhs_batch = array<i64>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
func.func private @mv(%a: tensor<2x3xf32>, %v: tensor<3xf32>) -> tensor<2xf32> {
  %0 = "irax.dot_general"(%a, %v) {lhs_contracting = array<i64: 1>, rhs_contracting = array<i64: 0>, lhs_batch = array<i64>, rhs_batch = array<i64>} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
func.func @both(%a: tensor<5x2x3xf32>, %b: tensor<5x3x4xf32>) -> tensor<5x2x4xf32> {
  %0 = "irax.vmap"(%a, %b) {callee = @mm, in_axes = array<i64: 0, 0>, out_axes = array<i64: 0>, axis_size = 5 : i64} : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
  return %0 : tensor<5x2x4xf32>
}
func.func @lhs_only(%a: tensor<2x5x3xf32>, %b: tensor<3x4xf32>) -> tensor<5x2x4xf32> {
  %0 = "irax.vmap"(%a, %b) {callee = @mm, in_axes = array<i64: 1, -1>, out_axes = array<i64: 0>, axis_size = 5 : i64} : (tensor<2x5x3xf32>, tensor<3x4xf32>) -> tensor<5x2x4xf32>
  return %0 : tensor<5x2x4xf32>
}
func.func @matvec(%a: tensor<2x3xf32>, %v: tensor<5x3xf32>) -> tensor<5x2xf32> {
  %0 = "irax.vmap"(%a, %v) {callee = @mv, in_axes = array<i64: -1, 0>, out_axes = array<i64: 0>, axis_size = 5 : i64} : (tensor<2x3xf32>, tensor<5x3xf32>) -> tensor<5x2xf32>
  return %0 : tensor<5x2xf32>
}
