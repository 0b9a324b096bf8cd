// RUN: not irax-opt %s --split-input-file --irax-to-linalg 2>&1 | FileCheck %s
// Lowering failures name the op and its location, with no Python traceback.

// CHECK-NOT: Traceback
func.func private @sq(%x: tensor<f32>) -> tensor<f32> {
  %0 = "irax.mul"(%x, %x) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}
func.func @unexpanded(%x: tensor<f32>, %t: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  // CHECK: errors.mlir:11: error: 'irax.jvp' was not lowered; expand higher-order ops first (--irax-expand)
  %0:2 = "irax.jvp"(%x, %t) {callee = @sq, argnums = array<i64: 0>} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#0, %0#1 : tensor<f32>, tensor<f32>
}

// CHECK-NOT: Traceback
