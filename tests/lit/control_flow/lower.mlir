// RUN: irax-opt %s --irax-to-linalg | FileCheck %s
// Region ops lower to scf on tensors; the ops inside their regions are lowered too.

// CHECK-LABEL: func.func @cond_bool
func.func @cond_bool(%p: tensor<i1>, %x: tensor<3xf32>) -> tensor<3xf32> {
  // CHECK: %[[P:.*]] = tensor.extract %arg0[] : tensor<i1>
  // CHECK: scf.if %[[P]] -> (tensor<3xf32>)
  // CHECK: linalg.generic
  // CHECK: scf.yield
  // CHECK: } else {
  // CHECK: arith.negf
  // CHECK: scf.yield
  // CHECK-NOT: irax.
  %0 = "irax.cond"(%p, %x) ({
  ^bb0(%a: tensor<3xf32>):
    %n = "irax.neg"(%a) : (tensor<3xf32>) -> tensor<3xf32>
    "irax.yield"(%n) : (tensor<3xf32>) -> ()
  }, {
  ^bb0(%a: tensor<3xf32>):
    %s = "irax.sin"(%a) : (tensor<3xf32>) -> tensor<3xf32>
    "irax.yield"(%s) : (tensor<3xf32>) -> ()
  }) : (tensor<i1>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// CHECK-LABEL: func.func @switch3
func.func @switch3(%i: tensor<i32>, %x: tensor<f32>) -> tensor<f32> {
  // The index is clamped to [0, 2], then tested branch by branch.
  // CHECK: arith.maxsi
  // CHECK: arith.minsi
  // CHECK: arith.cmpi eq
  // CHECK: scf.if
  // CHECK: } else {
  // CHECK: arith.cmpi eq
  // CHECK: scf.if
  %0 = "irax.cond"(%i, %x) ({
  ^bb0(%a: tensor<f32>):
    "irax.yield"(%a) : (tensor<f32>) -> ()
  }, {
  ^bb0(%a: tensor<f32>):
    %n = "irax.neg"(%a) : (tensor<f32>) -> tensor<f32>
    "irax.yield"(%n) : (tensor<f32>) -> ()
  }, {
  ^bb0(%a: tensor<f32>):
    %e = "irax.exp"(%a) : (tensor<f32>) -> tensor<f32>
    "irax.yield"(%e) : (tensor<f32>) -> ()
  }) : (tensor<i32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @while_loop
func.func @while_loop(%limit: tensor<f32>, %x: tensor<f32>) -> tensor<f32> {
  // The loop-invariant %limit is used directly; only the carry is an iter_arg.
  // CHECK: scf.while (%[[C:.*]] = %arg1) : (tensor<f32>) -> tensor<f32>
  // CHECK: arith.cmpf olt
  // CHECK: scf.condition
  // CHECK: } do {
  // CHECK: arith.mulf
  // CHECK: scf.yield
  %0 = "irax.while"(%limit, %x) ({
  ^bb0(%l: tensor<f32>, %a: tensor<f32>):
    %c = "irax.lt"(%a, %l) : (tensor<f32>, tensor<f32>) -> tensor<i1>
    "irax.yield"(%c) : (tensor<i1>) -> ()
  }, {
  ^bb0(%l: tensor<f32>, %a: tensor<f32>):
    %m = "irax.mul"(%a, %a) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "irax.yield"(%m) : (tensor<f32>) -> ()
  }) {num_consts = 1 : i64} : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @while_fixed_carry
func.func @while_fixed_carry(%x: tensor<f32>, %y: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  // The body yields %b back unchanged: it is no carry, its result is %arg1.
  // CHECK: %[[W:.*]] = scf.while (%{{.*}} = %arg0) : (tensor<f32>) -> tensor<f32>
  // CHECK: return %[[W]], %arg1
  %0:2 = "irax.while"(%x, %y) ({
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %c = "irax.lt"(%a, %b) : (tensor<f32>, tensor<f32>) -> tensor<i1>
    "irax.yield"(%c) : (tensor<i1>) -> ()
  }, {
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %m = "irax.add"(%a, %b) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "irax.yield"(%m, %b) : (tensor<f32>, tensor<f32>) -> ()
  }) {num_consts = 0 : i64} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#0, %0#1 : tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @while_swap
func.func @while_swap(%x: tensor<f32>, %y: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  // The body never reads %a: IREE's rotated scf.while would drop it, so the
  // function becomes a CFG.
  // CHECK-NOT: scf.while
  // CHECK: cf.br ^[[HEAD:bb[0-9]+]](%arg0, %arg1 : tensor<f32>, tensor<f32>)
  // CHECK: ^[[HEAD]](%[[A:.*]]: tensor<f32>, %[[B:.*]]: tensor<f32>):
  // CHECK: cf.cond_br %{{.*}}, ^[[BODY:bb[0-9]+]](%[[A]], %[[B]] : tensor<f32>, tensor<f32>), ^[[EXIT:bb[0-9]+]]
  // CHECK: ^[[BODY]](%{{.*}}: tensor<f32>, %[[B2:.*]]: tensor<f32>):
  // CHECK: arith.addf
  // CHECK: cf.br ^[[HEAD]](%[[B2]], %{{.*}} : tensor<f32>, tensor<f32>)
  // CHECK: ^[[EXIT]]:
  // CHECK-NEXT: return %[[A]], %[[B]]
  %0:2 = "irax.while"(%x, %y) ({
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %c = "irax.lt"(%a, %b) : (tensor<f32>, tensor<f32>) -> tensor<i1>
    "irax.yield"(%c) : (tensor<i1>) -> ()
  }, {
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %m = "irax.add"(%b, %b) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "irax.yield"(%b, %m) : (tensor<f32>, tensor<f32>) -> ()
  }) {num_consts = 0 : i64} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#0, %0#1 : tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @scan_reverse
func.func @scan_reverse(%c: tensor<2xf32>, %xs: tensor<5x2xf32>) -> (tensor<2xf32>, tensor<5xf32>) {
  // CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
  // CHECK-DAG: %[[C5:.*]] = arith.constant 5 : index
  // CHECK: scf.for %[[IV:.*]] = %[[C0]] to %[[C5]] step %{{.*}} iter_args({{.*}}) -> (tensor<2xf32>, tensor<5xf32>)
  // CHECK: %[[T:.*]] = arith.subi %{{.*}}, %[[IV]]
  // CHECK: tensor.extract_slice %arg1[%[[T]], 0] [1, 2] [1, 1] : tensor<5x2xf32> to tensor<2xf32>
  // CHECK: linalg.generic
  // CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[%[[T]]] [1] [1] : tensor<f32> into tensor<5xf32>
  // CHECK: scf.yield
  %0:2 = "irax.scan"(%c, %xs) ({
  ^bb0(%a: tensor<2xf32>, %x: tensor<2xf32>):
    %n = "irax.add"(%a, %x) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %s = "irax.reduce_sum"(%n) {axes = array<i64: 0>} : (tensor<2xf32>) -> tensor<f32>
    "irax.yield"(%n, %s) : (tensor<2xf32>, tensor<f32>) -> ()
  }) {length = 5 : i64, reverse = true, num_consts = 0 : i64, num_carry = 1 : i64} : (tensor<2xf32>, tensor<5x2xf32>) -> (tensor<2xf32>, tensor<5xf32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<5xf32>
}

// Stacked outputs nobody reads are not accumulated.
// CHECK-LABEL: func.func @scan_unused_ys
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %arg0) -> (tensor<2xf32>)
// CHECK-NOT: tensor.insert_slice
// CHECK: return
func.func @scan_unused_ys(%c: tensor<2xf32>, %xs: tensor<5x2xf32>) -> tensor<2xf32> {
  %0:2 = "irax.scan"(%c, %xs) ({
  ^bb0(%a: tensor<2xf32>, %x: tensor<2xf32>):
    %n = "irax.add"(%a, %x) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    "irax.yield"(%n, %n) : (tensor<2xf32>, tensor<2xf32>) -> ()
  }) {length = 5 : i64, reverse = false, num_consts = 0 : i64, num_carry = 1 : i64} : (tensor<2xf32>, tensor<5x2xf32>) -> (tensor<2xf32>, tensor<5x2xf32>)
  return %0#0 : tensor<2xf32>
}
