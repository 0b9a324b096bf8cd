// RUN: irax-opt %s --irax-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @gather
func.func @gather(%a: tensor<5x3xf32>, %i: tensor<4x1xi32>) -> tensor<4x3xf32> {
  // Gather reads the operand with tensor.extract at clamped indices.
  // CHECK: linalg.generic
  // CHECK: tensor.extract %arg1
  // CHECK: arith.maxsi
  // CHECK: arith.minsi
  // CHECK: tensor.extract %arg0
  %0 = "irax.gather"(%a, %i) : (tensor<5x3xf32>, tensor<4x1xi32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}
// CHECK-LABEL: func.func @scatter_add
func.func @scatter_add(%a: tensor<5x3xf32>, %i: tensor<4x1xi32>, %u: tensor<4x3xf32>) -> tensor<5x3xf32> {
  // The scatter writes into a fresh identity-filled tensor, never into the operand
  // (IREE would update a function argument in place), then adds elementwise.
  // Out-of-bounds rows go to an extra row that is sliced off (they are dropped).
  // CHECK: arith.cmpi sge
  // CHECK: arith.cmpi slt
  // CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<6x3xf32>)
  // CHECK: %[[S:.*]] = iree_linalg_ext.scatter
  // CHECK-SAME: outs(%[[Z]]
  // CHECK: arith.addf
  // CHECK: %[[T:.*]] = tensor.extract_slice %[[S]][0, 0] [5, 3] [1, 1]
  // CHECK: linalg.generic
  // CHECK-SAME: ins(%arg0, %[[T]]
  %0 = "irax.scatter"(%a, %i, %u) {mode = "add"} : (tensor<5x3xf32>, tensor<4x1xi32>, tensor<4x3xf32>) -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}
