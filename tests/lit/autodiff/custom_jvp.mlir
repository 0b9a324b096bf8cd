// RUN: irax-opt %s --irax-expand --irax-simplify | FileCheck %s

// grad of a custom_jvp function uses the user's rule, not the primal body:
// the cotangent is the VJP of @f_jvp with respect to its tangent argument,
// i.e. ct * (1 - 1/(1+exp(x))) here; log(1+exp(x)) itself is not
// differentiated.  Without a transform around it, the call inlines @f.
// CHECK-LABEL: func.func @main
// CHECK-NOT: irax.vjp
// CHECK-NOT: irax.custom_jvp_call
// CHECK-NOT: irax.log
// CHECK: "irax.exp"(%arg0)
// CHECK: "irax.div"
// CHECK: "irax.sub"
// CHECK: return
// CHECK-LABEL: func.func @forward
// CHECK: "irax.exp"(%arg0)
// CHECK: "irax.log"
func.func @main(%x: tensor<f32>, %ct: tensor<f32>) -> tensor<f32> {
  %r:2 = "irax.vjp"(%x, %ct) {callee = @g, argnums = array<i64: 0>} : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %r#1 : tensor<f32>
}
func.func @forward(%x: tensor<f32>) -> tensor<f32> {
  %y = "irax.custom_jvp_call"(%x) {callee = @f, jvp_callee = @f_jvp, num_args = 1, num_callee_captures = 0} : (tensor<f32>) -> tensor<f32>
  return %y : tensor<f32>
}
func.func private @g(%x: tensor<f32>) -> tensor<f32> {
  %y = "irax.custom_jvp_call"(%x) {callee = @f, jvp_callee = @f_jvp, num_args = 1, num_callee_captures = 0} : (tensor<f32>) -> tensor<f32>
  return %y : tensor<f32>
}
func.func private @f(%x: tensor<f32>) -> tensor<f32> {
  %e = "irax.exp"(%x) : (tensor<f32>) -> tensor<f32>
  %one = "irax.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %s = "irax.add"(%one, %e) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %l = "irax.log"(%s) : (tensor<f32>) -> tensor<f32>
  return %l : tensor<f32>
}
func.func private @f_jvp(%x: tensor<f32>, %t: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %y = "irax.custom_jvp_call"(%x) {callee = @f, jvp_callee = @f_jvp, num_args = 1, num_callee_captures = 0} : (tensor<f32>) -> tensor<f32>
  %e = "irax.exp"(%x) : (tensor<f32>) -> tensor<f32>
  %one = "irax.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %s = "irax.add"(%one, %e) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %r = "irax.div"(%one, %s) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %d = "irax.sub"(%one, %r) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %dt = "irax.mul"(%t, %d) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %y, %dt : tensor<f32>, tensor<f32>
}
