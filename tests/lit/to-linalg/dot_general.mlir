// RUN: irax-opt %s --irax-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @matmul
func.func @matmul(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  // CHECK: linalg.fill
  // CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<3x4xf32>, tensor<4x5xf32>)
  %0 = "irax.dot_general"(%a, %b) {lhs_contracting = array<i64: 1>, rhs_contracting = array<i64: 0>} : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// CHECK-LABEL: func.func @batched
func.func @batched(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  // CHECK: linalg.batch_matmul
  %0 = "irax.dot_general"(%a, %b) {lhs_contracting = array<i64: 2>, rhs_contracting = array<i64: 1>, lhs_batch = array<i64: 0>, rhs_batch = array<i64: 0>} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// A contraction that is not a (batch) matmul becomes one linalg.generic.
// CHECK-LABEL: func.func @vecmat_t
func.func @vecmat_t(%a: tensor<4xf32>, %b: tensor<5x4xf32>) -> tensor<5xf32> {
  // CHECK: linalg.generic
  // CHECK-SAME: iterator_types = ["parallel", "reduction"]
  // CHECK: arith.mulf
  // CHECK: arith.addf
  %0 = "irax.dot_general"(%a, %b) {lhs_contracting = array<i64: 0>, rhs_contracting = array<i64: 1>} : (tensor<4xf32>, tensor<5x4xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}
