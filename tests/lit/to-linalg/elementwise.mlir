// RUN: irax-opt %s --irax-to-linalg | FileCheck %s

// Every elementwise op is its own parallel linalg.generic (IREE fuses chains).
// CHECK-LABEL: func.func @add_exp
func.func @add_exp(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: %[[S:.*]] = linalg.generic
  // CHECK-SAME: iterator_types = ["parallel"]
  // CHECK: arith.addf
  %0 = "irax.add"(%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK-SAME: ins(%[[S]] : tensor<4xf32>)
  // CHECK: math.exp
  %1 = "irax.exp"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK-NOT: irax.
  return %1 : tensor<4xf32>
}

// Integer division is guarded as XLA defines it: x/0 = -1, INT_MIN/-1 = INT_MIN.
// CHECK-LABEL: func.func @int_div
func.func @int_div(%a: tensor<3xi32>, %b: tensor<3xi32>) -> tensor<3xi32> {
  // CHECK: arith.cmpi eq
  // CHECK: arith.constant -2147483648 : i32
  // CHECK: %[[SAFE:.*]] = arith.select
  // CHECK: arith.divsi %{{.*}}, %[[SAFE]]
  %0 = "irax.div"(%a, %b) : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// Shifts by >= the bit width (or negative amounts) give 0.
// CHECK-LABEL: func.func @shift
func.func @shift(%a: tensor<3xi32>, %b: tensor<3xi32>) -> tensor<3xi32> {
  // CHECK: arith.constant 32 : i32
  // CHECK: arith.cmpi ult
  // CHECK: arith.shli
  // CHECK: arith.select
  %0 = "irax.shift_left"(%a, %b) : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// round is half-to-even; integer_pow is square-and-multiply.
// CHECK-LABEL: func.func @round_pow
func.func @round_pow(%a: tensor<3xf32>) -> tensor<3xf32> {
  // CHECK: math.roundeven
  %0 = "irax.round"(%a) : (tensor<3xf32>) -> tensor<3xf32>
  // CHECK: linalg.generic
  // CHECK: %[[SQ:.*]] = arith.mulf %[[X:.*]], %[[X]]
  // CHECK: %[[CUBE:.*]] = arith.mulf %[[X]], %[[SQ]]
  // CHECK: arith.divf %{{.*}}, %[[CUBE]]
  %1 = "irax.integer_pow"(%0) {y = -3 : i64} : (tensor<3xf32>) -> tensor<3xf32>
  return %1 : tensor<3xf32>
}
