// RUN: irax-opt %s --irax-to-linalg | FileCheck %s

// ui32 (PRNG bits) is signless i32 after lowering, everywhere: the signature,
// block arguments and results.  The rules still see the irax dtype, so ops
// fed by already-lowered values pick the unsigned arith op.
// CHECK-LABEL: func.func @bits
// CHECK-SAME: (%[[K:.*]]: tensor<4xi32>, %[[X:.*]]: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi1>, tensor<4xf32>)
// CHECK-NOT: ui32
func.func @bits(%k: tensor<4xui32>, %x: tensor<4xui32>) -> (tensor<4xui32>, tensor<4xi1>, tensor<4xf32>) {
  // CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[K]], %[[X]] : tensor<4xi32>, tensor<4xi32>)
  // CHECK: arith.addi %{{.*}}, %{{.*}} : i32
  %0 = "irax.add"(%k, %x) : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  // CHECK: %[[SHR:.*]] = linalg.generic {{.*}} ins(%[[SUM]], %[[X]]
  // CHECK: arith.cmpi ult, %{{.*}}, %{{.*}} : i32
  // CHECK: arith.shrui
  %1 = "irax.shift_right_logical"(%0, %x) : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  // CHECK: linalg.generic {{.*}} ins(%[[SHR]], %[[K]]
  // CHECK: arith.cmpi ult, %{{.*}}, %{{.*}} : i32
  %2 = "irax.lt"(%1, %k) : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xi1>
  // CHECK: arith.uitofp %{{.*}} : i32 to f32
  %3 = "irax.convert_element_type"(%1) {new_dtype = f32} : (tensor<4xui32>) -> tensor<4xf32>
  // CHECK: return %[[SHR]], %{{.*}}, %{{.*}} : tensor<4xi32>, tensor<4xi1>, tensor<4xf32>
  return %1, %2, %3 : tensor<4xui32>, tensor<4xi1>, tensor<4xf32>
}
