// RUN: not irax-opt %s --split-input-file --irax-verify 2>&1 | FileCheck %s
// The region ops' verifiers: region signatures, yields, predicate types.

func.func @branch_yield(%p: tensor<i1>, %x: tensor<3xf32>) -> tensor<3xf32> {
  // CHECK: verify.mlir:6: error: irax.cond: branch 1 yields (f32[2]), expected (f32[3])
  %0 = "irax.cond"(%p, %x) ({
  ^bb0(%a: tensor<3xf32>):
    "irax.yield"(%a) : (tensor<3xf32>) -> ()
  }, {
  ^bb0(%a: tensor<3xf32>):
    %s = "irax.slice"(%a) {start_indices = array<i64: 0>, limit_indices = array<i64: 2>, strides = array<i64: 1>} : (tensor<3xf32>) -> tensor<2xf32>
    "irax.yield"(%s) : (tensor<2xf32>) -> ()
  }) : (tensor<i1>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----
func.func @pred_shape(%p: tensor<2xi1>, %x: tensor<f32>) -> tensor<f32> {
  // CHECK: verify.mlir:20: error: irax.cond: the predicate/index must be a scalar, got i1[2]
  %0 = "irax.cond"(%p, %x) ({
  ^bb0(%a: tensor<f32>):
    "irax.yield"(%a) : (tensor<f32>) -> ()
  }, {
  ^bb0(%a: tensor<f32>):
    "irax.yield"(%a) : (tensor<f32>) -> ()
  }) : (tensor<2xi1>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----
func.func @branch_args(%i: tensor<i32>, %x: tensor<f32>) -> tensor<f32> {
  // CHECK: verify.mlir:33: error: irax.cond: branch 0 takes (i32[]), expected (f32[])
  %0 = "irax.cond"(%i, %x) ({
  ^bb0(%a: tensor<i32>):
    "irax.yield"(%a) : (tensor<i32>) -> ()
  }) : (tensor<i32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----
func.func @not_isolated(%i: tensor<i32>, %x: tensor<f32>) -> tensor<f32> {
  // CHECK: verify.mlir:43: error: irax.cond: region 0 uses a value defined outside the op (regions are isolated from above: pass it as an operand)
  %0 = "irax.cond"(%i, %x) ({
  ^bb0(%a: tensor<f32>):
    %n = "irax.add"(%a, %x) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "irax.yield"(%n) : (tensor<f32>) -> ()
  }) : (tensor<i32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----
func.func @while_cond_not_bool(%x: tensor<f32>) -> tensor<f32> {
  // CHECK: verify.mlir:54: error: irax.while: cond region yields (f32[]), expected (i1[])
  %0 = "irax.while"(%x) ({
  ^bb0(%a: tensor<f32>):
    "irax.yield"(%a) : (tensor<f32>) -> ()
  }, {
  ^bb0(%a: tensor<f32>):
    "irax.yield"(%a) : (tensor<f32>) -> ()
  }) {num_consts = 0 : i64} : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----
func.func @while_carry_changes(%x: tensor<f32>) -> tensor<f32> {
  // CHECK: verify.mlir:67: error: irax.while: body region yields (i32[]), expected (f32[])
  %0 = "irax.while"(%x) ({
  ^bb0(%a: tensor<f32>):
    %t = "irax.constant"() {value = dense<true> : tensor<i1>} : () -> tensor<i1>
    "irax.yield"(%t) : (tensor<i1>) -> ()
  }, {
  ^bb0(%a: tensor<f32>):
    %c = "irax.convert_element_type"(%a) {new_dtype = i32} : (tensor<f32>) -> tensor<i32>
    "irax.yield"(%c) : (tensor<i32>) -> ()
  }) {num_consts = 0 : i64} : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----
func.func @scan_length(%c: tensor<f32>, %xs: tensor<4xf32>) -> (tensor<f32>, tensor<5xf32>) {
  // CHECK: verify.mlir:82: error: irax.scan: scanned operand f32[4] must have a leading axis of length 5
  %0:2 = "irax.scan"(%c, %xs) ({
  ^bb0(%a: tensor<f32>, %x: tensor<f32>):
    "irax.yield"(%a, %x) : (tensor<f32>, tensor<f32>) -> ()
  }) {length = 5 : i64, reverse = false, num_consts = 0 : i64, num_carry = 1 : i64} : (tensor<f32>, tensor<4xf32>) -> (tensor<f32>, tensor<5xf32>)
  return %0#0, %0#1 : tensor<f32>, tensor<5xf32>
}

// -----
func.func @scan_no_yield(%c: tensor<f32>) -> tensor<f32> {
  // CHECK: verify.mlir:92: error: irax.scan: body: region must end in irax.yield
  %0 = "irax.scan"(%c) ({
  ^bb0(%a: tensor<f32>):
    %n = "irax.neg"(%a) : (tensor<f32>) -> tensor<f32>
  }) {length = 2 : i64, reverse = false, num_consts = 0 : i64, num_carry = 1 : i64} : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----
func.func @stray_yield(%a: tensor<f32>) -> tensor<f32> {
  // CHECK: verify.mlir:102: error: irax.yield must terminate a region of irax.cond/while/scan
  "irax.yield"(%a) : (tensor<f32>) -> ()
  return %a : tensor<f32>
}
