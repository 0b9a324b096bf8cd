// RUN: irax-opt %s --irax-simplify | FileCheck %s

// CHECK-LABEL: func.func @identities
func.func @identities(%a: tensor<4xf32>) -> tensor<4xf32> {
  // x * 1, x / 1, x - 0 and neg(neg x) are x.
  // CHECK-NEXT: return %arg0
  %o = "irax.constant"() {value = dense<1.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %z = "irax.constant"() {value = dense<0.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "irax.mul"(%o, %a) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "irax.div"(%0, %o) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = "irax.sub"(%1, %z) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %3 = "irax.neg"(%2) : (tensor<4xf32>) -> tensor<4xf32>
  %4 = "irax.neg"(%3) : (tensor<4xf32>) -> tensor<4xf32>
  return %4 : tensor<4xf32>
}

// CHECK-LABEL: func.func @mul_zero
func.func @mul_zero(%a: tensor<4xi32>, %b: tensor<4xf32>) -> (tensor<4xi32>, tensor<4xf32>) {
  // x * 0 is 0 for integers; for floats it is kept (inf * 0 is nan).
  // CHECK-DAG: %[[ZI:.*]] = "irax.constant"() {value = dense<0> : tensor<4xi32>}
  // CHECK-DAG: %[[ZF:.*]] = "irax.constant"() {value = dense<0.000000e+00> : tensor<4xf32>}
  // CHECK: %[[M:.*]] = "irax.mul"(%arg1, %[[ZF]])
  // CHECK: return %[[ZI]], %[[M]]
  %zi = "irax.constant"() {value = dense<0> : tensor<4xi32>} : () -> tensor<4xi32>
  %zf = "irax.constant"() {value = dense<0.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "irax.mul"(%a, %zi) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = "irax.mul"(%b, %zf) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xi32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @splat_broadcast
func.func @splat_broadcast() -> tensor<2x3xf32> {
  // A broadcast (or reshape, transpose) of a splat is a splat.
  // CHECK-NEXT: %[[C:.*]] = "irax.constant"() {value = dense<2.500000e+00> : tensor<2x3xf32>}
  // CHECK-NEXT: return %[[C]]
  %s = "irax.constant"() {value = dense<2.5> : tensor<f32>} : () -> tensor<f32>
  %0 = "irax.broadcast_in_dim"(%s) {shape = array<i64: 2, 3>, broadcast_dimensions = array<i64>} : (tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @select_constant_predicate
func.func @select_constant_predicate(%a: tensor<3xf32>, %b: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  // CHECK-NEXT: return %arg1, %arg0
  %t = "irax.constant"() {value = dense<true> : tensor<i1>} : () -> tensor<i1>
  %f = "irax.constant"() {value = dense<false> : tensor<3xi1>} : () -> tensor<3xi1>
  %0 = "irax.select"(%f, %a, %b) : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = "irax.select"(%t, %a, %b) : (tensor<i1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0, %1 : tensor<3xf32>, tensor<3xf32>
}

// CHECK-LABEL: func.func @constant_folding
func.func @constant_folding() -> (tensor<4xi32>, tensor<4xi32>, tensor<4xi1>, tensor<3xf32>) {
  // Elementwise ops on small constants are evaluated with the lowering's
  // semantics: C division (x/0 = -1), shifts past the width give 0.
  // CHECK-DAG: "irax.constant"() {value = dense<[3, -3, -1, 0]> : tensor<4xi32>}
  // CHECK-DAG: "irax.constant"() {value = dense<[28, -28, 5, 0]> : tensor<4xi32>}
  // CHECK-DAG: "irax.constant"() {value = dense<[false, true, true, true]> : tensor<4xi1>}
  // CHECK-DAG: "irax.constant"() {value = dense<[2.000000e+00, -2.000000e+00, 3.000000e+00]> : tensor<3xf32>}
  // CHECK-NOT: "irax.div"
  // CHECK-NOT: "irax.round"
  %a = "irax.constant"() {value = dense<[7, -7, 5, 1]> : tensor<4xi32>} : () -> tensor<4xi32>
  %b = "irax.constant"() {value = dense<[2, 2, 0, 40]> : tensor<4xi32>} : () -> tensor<4xi32>
  %0 = "irax.div"(%a, %b) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = "irax.shift_left"(%a, %b) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %2 = "irax.le"(%1, %a) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  %x = "irax.constant"() {value = dense<[2.5, -2.5, 3.4]> : tensor<3xf32>} : () -> tensor<3xf32>
  %3 = "irax.round"(%x) : (tensor<3xf32>) -> tensor<3xf32>
  return %0, %1, %2, %3 : tensor<4xi32>, tensor<4xi32>, tensor<4xi1>, tensor<3xf32>
}

// CHECK-LABEL: func.func @no_fold_of_non_constants
func.func @no_fold_of_non_constants(%a: tensor<3xf32>) -> tensor<3xf32> {
  // CHECK: "irax.exp"(%arg0)
  %0 = "irax.exp"(%a) : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
