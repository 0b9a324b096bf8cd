// RUN: irax-opt %s --irax-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @argmax
func.func @argmax(%a: tensor<3x4xf32>) -> tensor<3xi32> {
  // The value and the index are carried by one generic; a strictly greater
  // value (or the first NaN) wins, so ties keep the first index.
  // CHECK: arith.constant 0xFF800000 : f32
  // CHECK: %[[R:.*]]:2 = linalg.generic
  // CHECK-SAME: iterator_types = ["parallel", "reduction"]
  // CHECK: linalg.index 1
  // CHECK: arith.cmpf ogt
  // CHECK: arith.cmpf une
  // CHECK: return %[[R]]#1 : tensor<3xi32>
  %0 = "irax.argmax"(%a) {axis = 1 : i64, index_dtype = i32} : (tensor<3x4xf32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}
