// RUN: irax-opt %s --irax-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @f2i
func.func @f2i(%a: tensor<4xf32>) -> tensor<4xi32> {
  // Out-of-range values saturate and NaN gives 0, as in XLA.
  // CHECK: %[[R:.*]] = arith.fptosi %[[X:.*]] : f32 to i32
  // CHECK: arith.cmpf oge, %[[X]]
  // CHECK: arith.constant 2147483647 : i32
  // CHECK: arith.cmpf olt, %[[X]]
  // CHECK: arith.constant -2147483648 : i32
  // CHECK: arith.cmpf une, %[[X]], %[[X]]
  %0 = "irax.convert_element_type"(%a) {new_dtype = i32} : (tensor<4xf32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
// CHECK-LABEL: func.func @f2b
func.func @f2b(%a: tensor<4xf32>) -> tensor<4xi1> {
  // CHECK: arith.cmpf une, %{{.*}}, %{{.*}} : f32
  %0 = "irax.convert_element_type"(%a) {new_dtype = i1} : (tensor<4xf32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}
// CHECK-LABEL: func.func @b2f
func.func @b2f(%a: tensor<4xi1>) -> tensor<4xf32> {
  // CHECK: arith.uitofp %{{.*}} : i1 to f32
  %0 = "irax.convert_element_type"(%a) {new_dtype = f32} : (tensor<4xi1>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
// CHECK-LABEL: func.func @i2i64
func.func @i2i64(%a: tensor<4xi32>) -> tensor<4xi64> {
  // CHECK: arith.extsi %{{.*}} : i32 to i64
  %0 = "irax.convert_element_type"(%a) {new_dtype = i64} : (tensor<4xi32>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}
// CHECK-LABEL: func.func @f2h
func.func @f2h(%a: tensor<4xf32>) -> tensor<4xf16> {
  // CHECK: arith.truncf %{{.*}} : f32 to f16
  %0 = "irax.convert_element_type"(%a) {new_dtype = f16} : (tensor<4xf32>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}
