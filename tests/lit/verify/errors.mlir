// RUN: not irax-opt %s --split-input-file --irax-verify 2>&1 | FileCheck %s
// One chunk per error family; each error names the op and this file's line.

func.func @dtype(%a: tensor<4xf32>, %b: tensor<4xi32>) -> tensor<4xf32> {
  // CHECK: errors.mlir:6: error: irax.add: operands must have equal dtypes; got (f32[4], i32[4])
  %0 = "irax.add"(%a, %b) : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----
func.func @result_type(%a: tensor<4xf32>) -> tensor<5xf32> {
  // CHECK: errors.mlir:13: error: irax.sin: result types ['f32[5]'] do not match the inferred ['f32[4]']
  %0 = "irax.sin"(%a) : (tensor<4xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----
func.func @attribute_kind(%a: tensor<3x4xf32>) -> tensor<3xf32> {
  // CHECK: errors.mlir:20: error: irax.reduce_sum: attribute 'axes' must be array<i64: ...>, got 1 : i64
  %0 = "irax.reduce_sum"(%a) {axes = 1 : i64} : (tensor<3x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----
func.func @missing_attribute(%a: tensor<3x4xf32>) -> tensor<4x3xf32> {
  // CHECK: errors.mlir:27: error: irax.transpose: missing attribute 'permutation'
  %0 = "irax.transpose"(%a) : (tensor<3x4xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----
func.func @unknown_attribute(%a: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: errors.mlir:34: error: irax.exp: unknown attribute 'fast' (known: none)
  %0 = "irax.exp"(%a) {fast = true} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----
func.func @attribute_value(%a: tensor<3x4xf32>) -> tensor<3xf32> {
  // CHECK: errors.mlir:41: error: irax.reduce_max: axis 2 out of range for rank 2; got (f32[3,4])
  %0 = "irax.reduce_max"(%a) {axes = array<i64: 2>} : (tensor<3x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----
func.func @unknown_op(%a: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: errors.mlir:48: error: unknown op 'irax.frobnicate'
  %0 = "irax.frobnicate"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----
func.func @operand_count(%a: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: errors.mlir:55: error: irax.neg: wrong number of operands (2); got (f32[4], f32[4])
  %0 = "irax.neg"(%a, %a) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----
func.func @not_a_tensor(%a: memref<4xf32>) -> memref<4xf32> {
  // CHECK: errors.mlir:62: error: irax ops take and return ranked tensors of {{.*}}; got memref<4xf32>
  %0 = "irax.neg"(%a) : (memref<4xf32>) -> memref<4xf32>
  return %0 : memref<4xf32>
}

// -----
func.func @contraction(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // CHECK: errors.mlir:69: error: irax.dot_general: contracting dimensions differ: lhs dim 1 has size 3, rhs dim 0 has size 4
  %0 = "irax.dot_general"(%a, %b) {lhs_contracting = array<i64: 1>, rhs_contracting = array<i64: 0>} : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----
func.func @pred_dtype(%p: tensor<4xf32>, %a: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: errors.mlir:76: error: irax.select: predicate must be bool; got (f32[4], f32[4], f32[4])
  %0 = "irax.select"(%p, %a, %a) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----
func.func @no_callee(%x: tensor<3xf32>) -> tensor<3xf32> {
  // CHECK: errors.mlir:83: error: irax.call: no function @nowhere in the module
  %0 = "irax.call"(%x) {callee = @nowhere} : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----
func.func private @g(%x: tensor<3xf32>) -> tensor<3xf32> {
  return %x : tensor<3xf32>
}
func.func @call_types(%x: tensor<3xf32>) -> tensor<4xf32> {
  // CHECK: errors.mlir:93: error: irax.call: @g has type (tensor<3xf32>) -> (tensor<3xf32>), called as (tensor<3xf32>) -> (tensor<4xf32>)
  %0 = "irax.call"(%x) {callee = @g} : (tensor<3xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// The valid chunk still prints; the exit code is 1 because others failed.
// -----
func.func @fine(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "irax.neg"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
