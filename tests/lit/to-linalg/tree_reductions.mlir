// RUN: irax-opt %s --irax-to-linalg | FileCheck %s

// Long float sums accumulate as a tree of 128-wide blocks: the ragged tail
// seeds the last level, the blocks are a view of the operand.
// CHECK-LABEL: func.func @long_sum
// CHECK: %[[TAIL:.*]] = tensor.extract_slice %arg0[256, 0] [44, 4]
// CHECK: %[[T:.*]] = linalg.generic {{.*}} ins(%[[TAIL]] : tensor<44x4xf32>)
// CHECK: %[[MAIN:.*]] = tensor.extract_slice %arg0[0, 0] [256, 4]
// CHECK: %[[BLOCKS:.*]] = tensor.expand_shape %[[MAIN]] {{\[\[}}0, 1], [2]] output_shape [2, 128, 4]
// CHECK: %[[P:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[BLOCKS]]
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[P]] : tensor<2x4xf32>) outs(%[[T]] : tensor<4xf32>)
// CHECK: return %[[R]]
func.func @long_sum(%a: tensor<300x4xf32>) -> tensor<4xf32> {
  %0 = "irax.reduce_sum"(%a) {axes = array<i64: 0>} : (tensor<300x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// Up to 128 elements (and integer sums, and max/min) stay one reduction.
// CHECK-LABEL: func.func @short_sum
// CHECK-NOT: tensor.expand_shape
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: tensor.expand_shape
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @short_sum(%a: tensor<128x4xf32>, %b: tensor<1000xi32>, %c: tensor<1000xf32>) -> (tensor<4xf32>, tensor<i32>, tensor<f32>) {
  %0 = "irax.reduce_sum"(%a) {axes = array<i64: 0>} : (tensor<128x4xf32>) -> tensor<4xf32>
  %1 = "irax.reduce_sum"(%b) {axes = array<i64: 0>} : (tensor<1000xi32>) -> tensor<i32>
  %2 = "irax.reduce_max"(%c) {axes = array<i64: 0>} : (tensor<1000xf32>) -> tensor<f32>
  return %0, %1, %2 : tensor<4xf32>, tensor<i32>, tensor<f32>
}

// A long float cumsum scans blocks of 32, scans the block totals, and adds
// to each block the total of the blocks before it.
// CHECK-LABEL: func.func @long_cumsum
// CHECK: %[[B:.*]] = tensor.expand_shape %arg0 {{\[\[}}0, 1]] output_shape [2, 32]
// CHECK: %[[S:.*]]:2 = iree_linalg_ext.scan dimension(1) inclusive(true) ins(%[[B]]
// CHECK: %[[C:.*]]:2 = iree_linalg_ext.scan dimension(0) inclusive(true) ins(%[[S]]#1
// CHECK: %[[BEFORE:.*]] = tensor.extract_slice %[[C]]#0[0] [1] [1]
// CHECK: %[[SHIFTED:.*]] = tensor.insert_slice %[[BEFORE]] into %{{.*}}[1] [1] [1]
// CHECK: linalg.generic {{.*}} ins(%[[S]]#0, %[[SHIFTED]] : tensor<2x32xf32>, tensor<2xf32>)
func.func @long_cumsum(%a: tensor<64xf32>) -> tensor<64xf32> {
  %0 = "irax.cumsum"(%a) {axis = 0 : i64} : (tensor<64xf32>) -> tensor<64xf32>
  return %0 : tensor<64xf32>
}

// A long dot is a product generic summed as a tree, not a 1xK matmul.
// CHECK-LABEL: func.func @long_dot
// CHECK-NOT: linalg.matmul
// CHECK: arith.mulf
// CHECK: tensor.expand_shape {{.*}} output_shape [1, 1, 2, 128]
// CHECK-NOT: linalg.matmul
func.func @long_dot(%a: tensor<256xf32>, %b: tensor<256xf32>) -> tensor<f32> {
  %0 = "irax.dot_general"(%a, %b) {lhs_contracting = array<i64: 0>, rhs_contracting = array<i64: 0>} : (tensor<256xf32>, tensor<256xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// Size-1 contracting dims hold nothing to sum: an elementwise product reading
// them at index 0 (IREE's data tiling failed on the K=1 matmul).
// CHECK-LABEL: func.func @unit_contraction
// CHECK-NOT: linalg.matmul
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.mulf
// CHECK-NOT: arith.addf
func.func @unit_contraction(%a: tensor<1x1xf32>, %b: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = "irax.dot_general"(%a, %b) {lhs_contracting = array<i64: 1>, rhs_contracting = array<i64: 0>} : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
