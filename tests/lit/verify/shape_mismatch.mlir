// RUN: not irax-opt %s --irax-verify 2>&1 | FileCheck %s

// The error names the op, the operand types and the user's file:line.
// CHECK: model.py:12: error: irax.add: operands must have equal shapes; got (f32[4], f32[5])
func.func @bad(%a: tensor<4xf32>, %b: tensor<5xf32>) -> tensor<4xf32> {
  %0 = "irax.add"(%a, %b) : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32> loc("model.py":12:0)
  return %0 : tensor<4xf32>
}
