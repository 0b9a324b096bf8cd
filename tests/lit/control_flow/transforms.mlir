// RUN: irax-opt %s --irax-expand --irax-simplify | FileCheck %s
// JVP, VJP and batching of the region ops, as dialect rewrites.

// JVP of a scan: the tangent rides along as a second carry.
// CHECK-LABEL: func.func @jvp_scan
// CHECK: "irax.scan"
// CHECK: ^bb0(%{{.*}}: tensor<f32>, %{{.*}}: tensor<f32>, %{{.*}}: tensor<f32>, %{{.*}}: tensor<f32>):
// CHECK: "irax.yield"
// CHECK-SAME: (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) -> ()
// CHECK: num_carry = 2
// CHECK-NOT: irax.jvp
func.func @jvp_scan(%xs: tensor<3xf32>, %ts: tensor<3xf32>) -> (tensor<f32>, tensor<f32>) {
  %0:2 = "irax.jvp"(%xs, %ts) {argnums = array<i64: 0>, callee = @scan_body} : (tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<f32>)
  return %0#0, %0#1 : tensor<f32>, tensor<f32>
}

// VJP of a scan: a forward scan that also stacks its carries, then a reverse
// scan that recomputes each step from its stored carry.
// CHECK-LABEL: func.func @vjp_scan
// CHECK: %[[FWD:.*]]:3 = "irax.scan"
// CHECK: reverse = false
// CHECK-SAME: -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>)
// CHECK: "irax.scan"(%{{.*}}, %arg0, %[[FWD]]#2, %{{.*}})
// CHECK: "irax.mul"
// CHECK: reverse = true
// CHECK-NOT: irax.vjp
func.func @vjp_scan(%xs: tensor<3xf32>, %ct: tensor<f32>) -> (tensor<f32>, tensor<3xf32>) {
  %0:2 = "irax.vjp"(%xs, %ct) {argnums = array<i64: 0>, callee = @scan_body} : (tensor<3xf32>, tensor<f32>) -> (tensor<f32>, tensor<3xf32>)
  return %0#0, %0#1 : tensor<f32>, tensor<3xf32>
}

func.func private @scan_body(%xs: tensor<3xf32>) -> tensor<f32> {
  %one = "irax.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %0:2 = "irax.scan"(%one, %xs) ({
  ^bb0(%c: tensor<f32>, %x: tensor<f32>):
    %m = "irax.mul"(%c, %x) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "irax.yield"(%m, %c) : (tensor<f32>, tensor<f32>) -> ()
  }) {length = 3 : i64, num_carry = 1 : i64, num_consts = 0 : i64, reverse = false} : (tensor<f32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %0#0 : tensor<f32>
}

// vmap of a while whose predicate depends on the batch: the loop runs while
// any lane is running, and finished lanes keep their carry.
// CHECK-LABEL: func.func @vmap_while
// CHECK: "irax.while"
// CHECK: "irax.gt"
// CHECK-SAME: tensor<4xi1>
// CHECK: "irax.reduce_or"
// CHECK: "irax.yield"
// CHECK: "irax.gt"
// CHECK: "irax.select"
// CHECK-SAME: (tensor<4xi1>, tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
// CHECK-NOT: irax.vmap
func.func @vmap_while(%n: tensor<4xi32>) -> tensor<4xi32> {
  %0 = "irax.vmap"(%n) {axis_size = 4 : i64, callee = @halve, in_axes = array<i64: 0>, out_axes = array<i64: 0>} : (tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

func.func private @halve(%n: tensor<i32>) -> tensor<i32> {
  %0 = "irax.while"(%n) ({
  ^bb0(%a: tensor<i32>):
    %one = "irax.constant"() {value = dense<1> : tensor<i32>} : () -> tensor<i32>
    %c = "irax.gt"(%a, %one) : (tensor<i32>, tensor<i32>) -> tensor<i1>
    "irax.yield"(%c) : (tensor<i1>) -> ()
  }, {
  ^bb0(%a: tensor<i32>):
    %one = "irax.constant"() {value = dense<1> : tensor<i32>} : () -> tensor<i32>
    %h = "irax.shift_right_arithmetic"(%a, %one) : (tensor<i32>, tensor<i32>) -> tensor<i32>
    "irax.yield"(%h) : (tensor<i32>) -> ()
  }) {num_consts = 0 : i64} : (tensor<i32>) -> tensor<i32>
  return %0 : tensor<i32>
}

// vmap of a cond with a batched predicate: both branches, then a select.
// CHECK-LABEL: func.func @vmap_cond
// CHECK-NOT: irax.cond
// CHECK-DAG: "irax.neg"
// CHECK-DAG: "irax.exp"
// CHECK: "irax.select"
// CHECK-SAME: (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
func.func @vmap_cond(%p: tensor<4xi1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "irax.vmap"(%p, %x) {axis_size = 4 : i64, callee = @branchy, in_axes = array<i64: 0, 0>, out_axes = array<i64: 0>} : (tensor<4xi1>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// JVP of a cond: each branch returns its primal and tangent.
// CHECK-LABEL: func.func @jvp_cond
// CHECK: "irax.cond"
// CHECK: "irax.neg"
// CHECK: "irax.neg"
// CHECK: "irax.exp"
// CHECK: "irax.mul"
// CHECK: -> (tensor<f32>, tensor<f32>)
func.func @jvp_cond(%p: tensor<i1>, %x: tensor<f32>, %t: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %0:2 = "irax.jvp"(%p, %x, %t) {argnums = array<i64: 1>, callee = @branchy} : (tensor<i1>, tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#0, %0#1 : tensor<f32>, tensor<f32>
}

func.func private @branchy(%p: tensor<i1>, %x: tensor<f32>) -> tensor<f32> {
  %0 = "irax.cond"(%p, %x) ({
  ^bb0(%a: tensor<f32>):
    %n = "irax.neg"(%a) : (tensor<f32>) -> tensor<f32>
    "irax.yield"(%n) : (tensor<f32>) -> ()
  }, {
  ^bb0(%a: tensor<f32>):
    %e = "irax.exp"(%a) : (tensor<f32>) -> tensor<f32>
    "irax.yield"(%e) : (tensor<f32>) -> ()
  }) : (tensor<i1>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}
