// RUN: not irax-opt %s --irax-expand 2>&1 | FileCheck %s
// Reverse mode of a while loop is refused, pointing to fori_loop/scan.

// CHECK: model.py:21: error: reverse-mode differentiation of irax.while {{.*}} Use lax.fori_loop with Python int bounds or lax.scan, or forward mode (jvp/jacfwd)
func.func @grad_while(%x: tensor<f32>, %ct: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %0:2 = "irax.vjp"(%x, %ct) {argnums = array<i64: 0>, callee = @grow} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %0#0, %0#1 : tensor<f32>, tensor<f32>
}

func.func private @grow(%x: tensor<f32>) -> tensor<f32> {
  %0 = "irax.while"(%x) ({
  ^bb0(%a: tensor<f32>):
    %ten = "irax.constant"() {value = dense<10.0> : tensor<f32>} : () -> tensor<f32>
    %c = "irax.lt"(%a, %ten) : (tensor<f32>, tensor<f32>) -> tensor<i1>
    "irax.yield"(%c) : (tensor<i1>) -> ()
  }, {
  ^bb0(%a: tensor<f32>):
    %m = "irax.mul"(%a, %a) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "irax.yield"(%m) : (tensor<f32>) -> ()
  }) {num_consts = 0 : i64} : (tensor<f32>) -> tensor<f32> loc("model.py":21:0)
  return %0 : tensor<f32>
}
