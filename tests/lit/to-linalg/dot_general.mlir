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

// A contraction in any other layout is canonicalised: operands transposed to
// [batch, free, contracting] / [batch, contracting, free], dim groups collapsed,
// then one (batch_)matmul, expanded back to the result shape.
// CHECK-LABEL: func.func @vecmat_t
func.func @vecmat_t(%a: tensor<4xf32>, %b: tensor<5x4xf32>) -> tensor<5xf32> {
  // CHECK-DAG: %[[A:.*]] = tensor.expand_shape %arg0 {{.*}} : tensor<4xf32> into tensor<1x4xf32>
  // CHECK-DAG: %[[T:.*]] = linalg.transpose ins(%arg1 : tensor<5x4xf32>) {{.*}} permutation = [1, 0]
  // CHECK: %[[M:.*]] = linalg.matmul ins(%[[A]], %[[T]] : tensor<1x4xf32>, tensor<4x5xf32>)
  // CHECK: tensor.collapse_shape %[[M]] {{.*}} : tensor<1x5xf32> into tensor<5xf32>
  %0 = "irax.dot_general"(%a, %b) {lhs_contracting = array<i64: 0>, rhs_contracting = array<i64: 1>} : (tensor<4xf32>, tensor<5x4xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// Batch dims that are not leading, two contracting dims: transposes + collapse
// to one batch_matmul.
// CHECK-LABEL: func.func @general
func.func @general(%a: tensor<3x2x4x6xf32>, %b: tensor<4x6x2x5xf32>) -> tensor<2x3x5xf32> {
  // CHECK-DAG: linalg.transpose ins(%arg0 : tensor<3x2x4x6xf32>) {{.*}} permutation = [1, 0, 2, 3]
  // CHECK-DAG: linalg.transpose ins(%arg1 : tensor<4x6x2x5xf32>) {{.*}} permutation = [2, 0, 1, 3]
  // CHECK: linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<2x3x24xf32>, tensor<2x24x5xf32>)
  %0 = "irax.dot_general"(%a, %b) {lhs_contracting = array<i64: 2, 3>, rhs_contracting = array<i64: 0, 1>, lhs_batch = array<i64: 1>, rhs_batch = array<i64: 2>} : (tensor<3x2x4x6xf32>, tensor<4x6x2x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}
