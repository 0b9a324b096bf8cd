// RUN: irax-opt %s --irax-to-linalg | FileCheck %s

// A size-1 dim that expands reads index 0 through the generic's input map.
// CHECK: #[[BC:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>

// CHECK-LABEL: func.func @broadcast
func.func @broadcast(%a: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[BC]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel"]}
  %0 = "irax.broadcast_in_dim"(%a) {shape = array<i64: 2, 3, 4>, broadcast_dimensions = array<i64: 1, 2>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK-LABEL: func.func @reshape
func.func @reshape(%a: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  // CHECK: %[[C:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
  // CHECK: tensor.expand_shape %[[C]] {{\[}}[0, 1]] output_shape [4, 6] : tensor<24xf32> into tensor<4x6xf32>
  %0 = "irax.reshape"(%a) {new_sizes = array<i64: 4, 6>} : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// CHECK-LABEL: func.func @transpose
func.func @transpose(%a: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  // CHECK: linalg.transpose ins(%arg0 : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
  %0 = "irax.transpose"(%a) {permutation = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// rev reads reversed coordinates with tensor.extract in a generic (a
// `d -> size-1-d` input map breaks IREE's tiling once the op fuses).
// CHECK-LABEL: func.func @rev_outer
func.func @rev_outer(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: linalg.generic
  // CHECK: %[[C1:.*]] = arith.constant 1 : index
  // CHECK: %[[I:.*]] = linalg.index 0
  // CHECK: %[[K:.*]] = arith.subi %[[C1]], %[[I]]
  // CHECK: %[[J:.*]] = linalg.index 1
  // CHECK: tensor.extract %arg0[%[[K]], %[[J]]]
  %0 = "irax.rev"(%a) {dimensions = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @rev_inner
func.func @rev_inner(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: linalg.generic
  // CHECK: %[[I:.*]] = linalg.index 0
  // CHECK: %[[C2:.*]] = arith.constant 2 : index
  // CHECK: %[[J:.*]] = linalg.index 1
  // CHECK: %[[K:.*]] = arith.subi %[[C2]], %[[J]]
  // CHECK: tensor.extract %arg0[%[[I]], %[[K]]]
  %0 = "irax.rev"(%a) {dimensions = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
