// RUN: irax-opt %s --irax-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @sum_rows
func.func @sum_rows(%a: tensor<3x4xf32>) -> tensor<3xf32> {
  // CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK: %[[I:.*]] = linalg.fill ins(%[[Z]] : f32)
  // CHECK: linalg.generic
  // CHECK-SAME: iterator_types = ["parallel", "reduction"]
  // CHECK-SAME: outs(%[[I]] : tensor<3xf32>)
  // CHECK: arith.addf
  %0 = "irax.reduce_sum"(%a) {axes = array<i64: 1>} : (tensor<3x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
// CHECK-LABEL: func.func @max_all
// Adjacent reduced axes are collapsed and reduced by one single-axis linalg op.
func.func @max_all(%a: tensor<3x4xf32>) -> tensor<f32> {
  // CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<3x4xf32> into tensor<12xf32>
  // CHECK: arith.constant 0xFF800000 : f32
  // CHECK: iterator_types = ["reduction"]
  // CHECK: arith.maximumf
  %0 = "irax.reduce_max"(%a) {axes = array<i64: 0, 1>} : (tensor<3x4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
// CHECK-LABEL: func.func @min_i32
func.func @min_i32(%a: tensor<3x4xi32>) -> tensor<4xi32> {
  // CHECK: arith.constant 2147483647 : i32
  // CHECK: iterator_types = ["reduction", "parallel"]
  // CHECK: arith.minsi
  %0 = "irax.reduce_min"(%a) {axes = array<i64: 0>} : (tensor<3x4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
// Reduced axes that are not adjacent: one linalg reduction per axis, innermost first.
// CHECK-LABEL: func.func @sum_outer_axes
func.func @sum_outer_axes(%a: tensor<2x3x4xf32>) -> tensor<3xf32> {
  // CHECK: iterator_types = ["parallel", "parallel", "reduction"]
  // CHECK-SAME: outs(%{{.*}} : tensor<2x3xf32>)
  // CHECK: iterator_types = ["reduction", "parallel"]
  // CHECK-SAME: outs(%{{.*}} : tensor<3xf32>)
  %0 = "irax.reduce_sum"(%a) {axes = array<i64: 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
// CHECK-LABEL: func.func @all
func.func @all(%a: tensor<3x4xi1>) -> tensor<3xi1> {
  // CHECK: arith.constant true
  // CHECK: arith.andi
  %0 = "irax.reduce_and"(%a) {axes = array<i64: 1>} : (tensor<3x4xi1>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}
