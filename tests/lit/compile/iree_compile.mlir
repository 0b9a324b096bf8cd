// REQUIRES: iree-compile
// RUN: irax-opt %s --irax-simplify --irax-to-linalg | iree-compile - --iree-hal-target-backends=llvm-cpu --iree-llvmcpu-target-cpu=host -o %t.vmfb
// RUN: iree-run-module --module=%t.vmfb --device=local-sync --function=main --input="2x3xf32=1 2 3 4 5 6" | FileCheck %s
// The to-linalg output is valid input for iree-compile, and computes the right numbers.

// CHECK: result[0]: hal.buffer_view
// CHECK-NEXT: 3xf32=5 7 9
// CHECK: result[1]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[1 3 6][4 9 15]
// CHECK: result[2]: hal.buffer_view
// CHECK-NEXT: 2xi32=0 0
// CHECK: result[3]: hal.buffer_view
// CHECK-NEXT: 2x3xf32=[14 32 -1][32 77 -1]
func.func @main(%x: tensor<2x3xf32>) -> (tensor<3xf32>, tensor<2x3xf32>, tensor<2xi32>, tensor<2x3xf32>) {
  %one = "irax.constant"() {value = dense<1.0> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
  %y = "irax.mul"(%x, %one) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // column sums: [5, 7, 9]
  %s = "irax.reduce_sum"(%y) {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<3xf32>
  // running sums along rows: [[1, 3, 6], [4, 9, 15]]
  %c = "irax.cumsum"(%y) {axis = 1 : i64, reverse = false} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // argmax of each row of the reversed rows: index 0
  %r = "irax.rev"(%y) {dimensions = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %a = "irax.argmax"(%r) {axis = 1 : i64, index_dtype = i32} : (tensor<2x3xf32>) -> tensor<2xi32>
  // x @ x^T = [[14, 32], [32, 77]], padded on the right with -1
  %g = "irax.dot_general"(%x, %x) {lhs_contracting = array<i64: 1>, rhs_contracting = array<i64: 1>} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  %s0 = "irax.constant"() {value = dense<-1.0> : tensor<f32>} : () -> tensor<f32>
  %p = "irax.pad"(%g, %s0) {low = array<i64: 0, 0>, high = array<i64: 0, 1>, interior = array<i64: 0, 0>} : (tensor<2x2xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %s, %c, %a, %p : tensor<3xf32>, tensor<2x3xf32>, tensor<2xi32>, tensor<2x3xf32>
}
