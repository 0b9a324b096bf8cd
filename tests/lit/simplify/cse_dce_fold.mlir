// RUN: irax-opt %s --irax-simplify | FileCheck %s

// CHECK-LABEL: func.func @f
func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  // x + 0 folds away; the two identical exps merge; the unused sin is dead.
  // CHECK-NEXT: %[[E:.*]] = "irax.exp"(%arg0)
  // CHECK-NEXT: %[[M:.*]] = "irax.mul"(%[[E]], %[[E]])
  // CHECK-NEXT: return %[[M]]
  %z = "irax.constant"() {value = dense<0.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %x = "irax.add"(%a, %z) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %e1 = "irax.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %e2 = "irax.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %s = "irax.sin"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %m = "irax.mul"(%e1, %e2) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %m : tensor<4xf32>
}
