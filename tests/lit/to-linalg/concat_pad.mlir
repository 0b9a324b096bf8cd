// RUN: irax-opt %s --irax-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @concat
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x1xf32>) -> tensor<2x4xf32> {
  // CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4xf32>
  // CHECK: %[[A:.*]] = tensor.insert_slice %arg0 into %[[E]][0, 0] [2, 3] [1, 1]
  // CHECK: tensor.insert_slice %arg1 into %[[A]][0, 3] [2, 1] [1, 1]
  %0 = "irax.concatenate"(%a, %b) {dimension = 1 : i64} : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
// CHECK-LABEL: func.func @pad
func.func @pad(%a: tensor<2x3xf32>, %v: tensor<f32>) -> tensor<5x4xf32> {
  // Interior padding is a strided insert into a fill; the negative low pad crops after.
  // CHECK: %[[V:.*]] = tensor.extract %arg1[]
  // CHECK: %[[F:.*]] = linalg.fill ins(%[[V]] : f32) outs(%{{.*}} : tensor<5x5xf32>)
  // CHECK: %[[P:.*]] = tensor.insert_slice %arg0 into %[[F]][1, 0] [2, 3] [2, 2]
  // CHECK: tensor.extract_slice %[[P]][0, 1] [5, 4] [1, 1] : tensor<5x5xf32> to tensor<5x4xf32>
  %0 = "irax.pad"(%a, %v) {low = array<i64: 1, -1>, high = array<i64: 1, 0>, interior = array<i64: 1, 1>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}
