// RUN: irax-opt %s --irax-expand-jvp --irax-simplify | FileCheck %s

// d/dx sin(x) * y along (tx, no tangent for y): only x's tangent flows, as
// cos(x) * tx * y; y gets no materialised zero tangent.
// CHECK-LABEL: func.func @main
// CHECK-NOT: irax.jvp
// CHECK-DAG: %[[S:.*]] = "irax.sin"(%arg0)
// CHECK-DAG: %[[C:.*]] = "irax.cos"(%arg0)
// CHECK-DAG: %[[P:.*]] = "irax.mul"(%[[S]], %arg1)
// CHECK-DAG: %[[T:.*]] = "irax.mul"(%arg2, %[[C]])
// CHECK-DAG: %[[TY:.*]] = "irax.mul"(%[[T]], %arg1)
// CHECK: return %[[P]], %[[TY]]
func.func @main(%x: tensor<3xf32>, %y: tensor<3xf32>, %tx: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %r:2 = "irax.jvp"(%x, %y, %tx) {callee = @f, argnums = array<i64: 0>} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %r#0, %r#1 : tensor<3xf32>, tensor<3xf32>
}
// The callee is inlined and removed.
// CHECK-NOT: func.func private @f
func.func private @f(%x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<3xf32> {
  %s = "irax.sin"(%x) : (tensor<3xf32>) -> tensor<3xf32>
  %p = "irax.mul"(%s, %y) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %p : tensor<3xf32>
}
