// RUN: irax-opt %s --irax-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @cumsum
func.func @cumsum(%a: tensor<3x5xf32>) -> tensor<3x5xf32> {
  // CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<3xf32>)
  // CHECK: iree_linalg_ext.scan dimension(1) inclusive(true) ins(%arg0 : tensor<3x5xf32>) outs(%{{.*}}, %[[Z]]
  // CHECK: arith.addf
  // CHECK-NOT: linalg.generic
  %0 = "irax.cumsum"(%a) {axis = 1 : i64, reverse = false} : (tensor<3x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}
// CHECK-LABEL: func.func @cummax_reverse
func.func @cummax_reverse(%a: tensor<5x3xi32>) -> tensor<5x3xi32> {
  // reverse=True: reverse, scan, reverse back.
  // CHECK: linalg.generic
  // CHECK: arith.constant -2147483648 : i32
  // CHECK: iree_linalg_ext.scan dimension(0) inclusive(true)
  // CHECK: arith.maxsi
  // CHECK: linalg.generic
  %0 = "irax.cummax"(%a) {axis = 0 : i64, reverse = true} : (tensor<5x3xi32>) -> tensor<5x3xi32>
  return %0 : tensor<5x3xi32>
}
