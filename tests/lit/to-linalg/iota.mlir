// RUN: irax-opt %s --irax-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @iota
func.func @iota() -> tensor<2x3xf32> {
  // CHECK: linalg.generic
  // CHECK-SAME: outs(%{{.*}} : tensor<2x3xf32>)
  // CHECK: linalg.index 1
  // CHECK: arith.sitofp
  %0 = "irax.iota"() {shape = array<i64: 2, 3>, dtype = f32, dimension = 1 : i64} : () -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
