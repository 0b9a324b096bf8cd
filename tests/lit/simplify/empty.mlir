// RUN: irax-opt %s --irax-simplify | FileCheck %s

// Zero-size arrays never reach code generation: every zero-size value is an
// empty constant, and ops that make a non-empty result from an empty operand
// fold to what they mean with nothing to read.

// CHECK-LABEL: func.func @contract_and_reduce
func.func @contract_and_reduce(%a: tensor<3x0xf32>, %b: tensor<0x4xf32>, %i: tensor<0x2xi32>)
    -> (tensor<3x4xf32>, tensor<3xf32>, tensor<3xi32>, tensor<3xf32>, tensor<3x0xf32>) {
  // CHECK-DAG: %[[Z:.*]] = "irax.constant"() {value = dense<0.000000e+00> : tensor<3x4xf32>}
  // CHECK-DAG: %[[NI:.*]] = "irax.constant"() {value = dense<0xFF800000> : tensor<3xf32>}
  // CHECK-DAG: %[[MAXI:.*]] = "irax.constant"() {value = dense<2147483647> : tensor<3xi32>}
  // CHECK-DAG: %[[ONE:.*]] = "irax.constant"() {value = dense<1.000000e+00> : tensor<3xf32>}
  // CHECK-DAG: %[[E:.*]] = "irax.constant"() {value = dense<> : tensor<3x0xf32>}
  // CHECK-NOT: irax.dot_general
  // CHECK-NOT: irax.reduce
  // CHECK: return %[[Z]], %[[NI]], %[[MAXI]], %[[ONE]], %[[E]]
  %0 = "irax.dot_general"(%a, %b) {lhs_contracting = array<i64: 1>, rhs_contracting = array<i64: 0>} : (tensor<3x0xf32>, tensor<0x4xf32>) -> tensor<3x4xf32>
  %1 = "irax.reduce_max"(%a) {axes = array<i64: 1>} : (tensor<3x0xf32>) -> tensor<3xf32>
  %t = "irax.transpose"(%i) {permutation = array<i64: 1, 0>} : (tensor<0x2xi32>) -> tensor<2x0xi32>
  %c = "irax.broadcast_in_dim"(%t) {shape = array<i64: 3, 2, 0>, broadcast_dimensions = array<i64: 1, 2>} : (tensor<2x0xi32>) -> tensor<3x2x0xi32>
  %2 = "irax.reduce_min"(%c) {axes = array<i64: 1, 2>} : (tensor<3x2x0xi32>) -> tensor<3xi32>
  %3 = "irax.reduce_prod"(%a) {axes = array<i64: 1>} : (tensor<3x0xf32>) -> tensor<3xf32>
  %4 = "irax.sin"(%a) : (tensor<3x0xf32>) -> tensor<3x0xf32>
  return %0, %1, %2, %3, %4 : tensor<3x4xf32>, tensor<3xf32>, tensor<3xi32>, tensor<3xf32>, tensor<3x0xf32>
}

// CHECK-LABEL: func.func @updates
func.func @updates(%x: tensor<3xf32>, %u: tensor<0xf32>, %idx: tensor<0x1xi32>, %k: tensor<i32>,
                   %pv: tensor<f32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<2x2xf32>, tensor<5xf32>) {
  // An empty update leaves the operand; an empty operand pads to all padding;
  // empty pieces drop out of a concatenation.
  // CHECK: %[[P:.*]] = "irax.broadcast_in_dim"(%arg4) {broadcast_dimensions = array<i64>, shape = array<i64: 2, 2>}
  // CHECK: %[[C:.*]] = "irax.concatenate"(%arg0, %arg0) {dimension = 0 : i64}
  // CHECK: %[[S:.*]] = "irax.slice"(%[[C]])
  // CHECK: return %arg0, %arg0, %[[P]], %[[S]]
  %0 = "irax.scatter"(%x, %idx, %u) {mode = "set"} : (tensor<3xf32>, tensor<0x1xi32>, tensor<0xf32>) -> tensor<3xf32>
  %1 = "irax.dynamic_update_slice"(%x, %u, %k) : (tensor<3xf32>, tensor<0xf32>, tensor<i32>) -> tensor<3xf32>
  %e = "irax.reshape"(%u) {new_sizes = array<i64: 0, 2>} : (tensor<0xf32>) -> tensor<0x2xf32>
  %2 = "irax.pad"(%e, %pv) {low = array<i64: 1, 0>, high = array<i64: 1, 0>, interior = array<i64: 0, 0>} : (tensor<0x2xf32>, tensor<f32>) -> tensor<2x2xf32>
  %3 = "irax.concatenate"(%u, %x, %u, %x) {dimension = 0 : i64} : (tensor<0xf32>, tensor<3xf32>, tensor<0xf32>, tensor<3xf32>) -> tensor<6xf32>
  %4 = "irax.slice"(%3) {start_indices = array<i64: 0>, limit_indices = array<i64: 5>, strides = array<i64: 1>} : (tensor<6xf32>) -> tensor<5xf32>
  return %0, %1, %2, %4 : tensor<3xf32>, tensor<3xf32>, tensor<2x2xf32>, tensor<5xf32>
}
