// RUN: irax-opt %s --irax-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @slice
func.func @slice(%a: tensor<5x6xf32>) -> tensor<3x2xf32> {
  // CHECK: tensor.extract_slice %arg0[0, 1] [3, 2] [2, 3] : tensor<5x6xf32> to tensor<3x2xf32>
  %0 = "irax.slice"(%a) {start_indices = array<i64: 0, 1>, limit_indices = array<i64: 5, 6>, strides = array<i64: 2, 3>} : (tensor<5x6xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}
// CHECK-LABEL: func.func @dynamic_slice
func.func @dynamic_slice(%a: tensor<5x6xf32>, %i: tensor<i32>, %j: tensor<i32>) -> tensor<2x3xf32> {
  // Start indices are clamped to [0, dim - size], as in XLA.
  // CHECK: arith.maxsi
  // CHECK: arith.constant 3 : i64
  // CHECK: arith.minsi
  // CHECK: %[[I:.*]] = arith.index_cast
  // CHECK: %[[J:.*]] = arith.index_cast
  // CHECK: tensor.extract_slice %arg0[%[[I]], %[[J]]] [2, 3] [1, 1]
  %0 = "irax.dynamic_slice"(%a, %i, %j) {slice_sizes = array<i64: 2, 3>} : (tensor<5x6xf32>, tensor<i32>, tensor<i32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
// CHECK-LABEL: func.func @dynamic_update_slice
func.func @dynamic_update_slice(%a: tensor<5x6xf32>, %u: tensor<2x3xf32>, %i: tensor<i32>, %j: tensor<i32>) -> tensor<5x6xf32> {
  // CHECK: %[[I:.*]] = arith.index_cast
  // CHECK: %[[J:.*]] = arith.index_cast
  // CHECK: tensor.insert_slice %arg1 into %arg0[%[[I]], %[[J]]] [2, 3] [1, 1]
  %0 = "irax.dynamic_update_slice"(%a, %u, %i, %j) : (tensor<5x6xf32>, tensor<2x3xf32>, tensor<i32>, tensor<i32>) -> tensor<5x6xf32>
  return %0 : tensor<5x6xf32>
}
