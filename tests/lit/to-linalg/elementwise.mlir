// RUN: irax-opt %s --irax-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @add_exp
func.func @add_exp(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: linalg.generic
  // CHECK-SAME: iterator_types = ["parallel"]
  // CHECK: arith.addf
  %0 = "irax.add"(%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: math.exp
  %1 = "irax.exp"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK-NOT: irax.
  return %1 : tensor<4xf32>
}

// CHECK-LABEL: func.func @compare_select
func.func @compare_select(%a: tensor<3xi32>, %b: tensor<3xi32>) -> tensor<3xi32> {
  // CHECK: arith.cmpi slt
  %p = "irax.lt"(%a, %b) : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi1>
  // CHECK: arith.select
  %0 = "irax.select"(%p, %a, %b) : (tensor<3xi1>, tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}
