// RUN: irax-opt %s --irax-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @cmp_f
func.func @cmp_f(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xi1> {
  // ne is unordered: NaN != x.
  // CHECK: arith.cmpf une
  %0 = "irax.ne"(%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}
// CHECK-LABEL: func.func @select_scalar_pred
func.func @select_scalar_pred(%p: tensor<i1>, %a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // A scalar predicate is broadcast by the generic's indexing map.
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}, #{{.*}}]
  // CHECK-SAME: ins(%arg0, %arg1, %arg2 : tensor<i1>, tensor<2x3xf32>, tensor<2x3xf32>)
  // CHECK: arith.select
  %0 = "irax.select"(%p, %a, %b) : (tensor<i1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
// CHECK-LABEL: func.func @clamp
func.func @clamp(%lo: tensor<f32>, %x: tensor<4xf32>, %hi: tensor<f32>) -> tensor<4xf32> {
  // CHECK: arith.maximumf
  // CHECK: arith.minimumf
  %0 = "irax.clamp"(%lo, %x, %hi) : (tensor<f32>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
