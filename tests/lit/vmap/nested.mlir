// RUN: irax-opt %s --irax-expand-vmap | FileCheck %s
// RUN: irax-opt %s --irax-expand | FileCheck %s

// vmap(vmap(dot)): the inner vmap (batched vector) is expanded first, inside
// the outer callee, into a matmul; the outer one batches that into ONE
// dot_general in linalg.batch_matmul form.  The transpose is the inner
// vmap's move of its result to out_axes 0.  No loops.
// CHECK-LABEL: func.func @main
// CHECK-NEXT: %[[D:.*]] = "irax.dot_general"(%arg0, %arg1) {lhs_batch = array<i64: 0>, lhs_contracting = array<i64: 2>, rhs_batch = array<i64: 0>, rhs_contracting = array<i64: 1>} : (tensor<6x2x3xf32>, tensor<6x3x5xf32>) -> tensor<6x2x5xf32>
// CHECK-NEXT: %[[T:.*]] = "irax.transpose"(%[[D]]) {permutation = array<i64: 0, 2, 1>}
// CHECK-NEXT: return %[[T]]
// CHECK-NOT: irax.vmap
func.func private @mv(%a: tensor<2x3xf32>, %v: tensor<3xf32>) -> tensor<2xf32> {
  %0 = "irax.dot_general"(%a, %v) {lhs_contracting = array<i64: 1>, rhs_contracting = array<i64: 0>, lhs_batch = array<i64>, rhs_batch = array<i64>} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
func.func private @inner(%a: tensor<2x3xf32>, %vs: tensor<3x5xf32>) -> tensor<5x2xf32> {
  %0 = "irax.vmap"(%a, %vs) {callee = @mv, in_axes = array<i64: -1, 1>, out_axes = array<i64: 0>, axis_size = 5 : i64} : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<5x2xf32>
  return %0 : tensor<5x2xf32>
}
func.func @main(%a: tensor<6x2x3xf32>, %vs: tensor<6x3x5xf32>) -> tensor<6x5x2xf32> {
  %0 = "irax.vmap"(%a, %vs) {callee = @inner, in_axes = array<i64: 0, 0>, out_axes = array<i64: 0>, axis_size = 6 : i64} : (tensor<6x2x3xf32>, tensor<6x3x5xf32>) -> tensor<6x5x2xf32>
  return %0 : tensor<6x5x2xf32>
}
