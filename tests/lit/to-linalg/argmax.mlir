// RUN: irax-opt %s --irax-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @argmax
func.func @argmax(%a: tensor<3x4xf32>) -> tensor<3xi32> {
  // Two single-result reductions (they fuse into consumers): the extremum,
  // then the smallest index where x equals it (or is NaN when it is NaN), so
  // ties give the first index and the first NaN wins, as in NumPy.
  // CHECK: arith.constant 0xFF800000 : f32
  // CHECK: %[[M:.*]] = linalg.generic
  // CHECK-SAME: iterator_types = ["parallel", "reduction"]
  // CHECK: arith.maximumf
  // CHECK: %[[R:.*]] = linalg.generic
  // CHECK-SAME: ins(%arg0, %[[M]] : tensor<3x4xf32>, tensor<3xf32>)
  // CHECK: arith.cmpf oeq
  // CHECK: arith.cmpf une
  // CHECK: linalg.index 1
  // CHECK: arith.minsi
  // CHECK: return %[[R]] : tensor<3xi32>
  %0 = "irax.argmax"(%a) {axis = 1 : i64, index_dtype = i32} : (tensor<3x4xf32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}
