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
  // The operand is a function argument, which IREE would update in place (the
  // caller's array!): the result is a fresh generic reading the update inside
  // the window and the operand outside it.
  // CHECK: %[[I:.*]] = arith.index_cast
  // CHECK: %[[J:.*]] = arith.index_cast
  // CHECK-NOT: tensor.insert_slice
  // CHECK: linalg.generic
  // CHECK-SAME: ins(%arg0 : tensor<5x6xf32>)
  // CHECK: arith.subi %{{.*}}, %[[I]]
  // CHECK: arith.cmpi uge
  // CHECK: arith.cmpi ult
  // CHECK: tensor.extract %arg1
  // CHECK: arith.select
  %0 = "irax.dynamic_update_slice"(%a, %u, %i, %j) : (tensor<5x6xf32>, tensor<2x3xf32>, tensor<i32>, tensor<i32>) -> tensor<5x6xf32>
  return %0 : tensor<5x6xf32>
}

// CHECK-LABEL: func.func @dynamic_update_slice_of_temporary
func.func @dynamic_update_slice_of_temporary(%a: tensor<5x6xf32>, %u: tensor<2x3xf32>, %i: tensor<i32>, %j: tensor<i32>) -> tensor<5x6xf32> {
  // A temporary is updated in place: one insert_slice.
  // CHECK: %[[T:.*]] = linalg.generic
  // CHECK: math.exp
  // CHECK: %[[I:.*]] = arith.index_cast
  // CHECK: %[[J:.*]] = arith.index_cast
  // CHECK: tensor.insert_slice %arg1 into %[[T]][%[[I]], %[[J]]] [2, 3] [1, 1]
  %t = "irax.exp"(%a) : (tensor<5x6xf32>) -> tensor<5x6xf32>
  %0 = "irax.dynamic_update_slice"(%t, %u, %i, %j) : (tensor<5x6xf32>, tensor<2x3xf32>, tensor<i32>, tensor<i32>) -> tensor<5x6xf32>
  return %0 : tensor<5x6xf32>
}
