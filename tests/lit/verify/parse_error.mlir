// RUN: not irax-opt %s 2>&1 | FileCheck %s
// Parse errors are MLIR's own diagnostic, with file:line:col, and no Python traceback.

// CHECK-NOT: Traceback
// CHECK: parse_error.mlir:8:21: error: expected ')' to end operand list
// CHECK-NOT: Traceback
func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "irax.sin"(%a : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
