// RUN: irax-opt --list-ops | FileCheck %s
// Each op is one record: its attributes and every kind of rule registered for it.

// CHECK: irax.add jvp vjp batching simplify constant_fold scalar lowering
// CHECK: irax.dot_general {lhs_contracting: ints, rhs_contracting: ints
// CHECK-SAME: jvp vjp batching {{.*}}lowering
// CHECK: irax.vmap {callee: symbol, in_axes: ints, out_axes: ints, axis_size: int, axis_name: str} expansion
// CHECK: irax.while {num_consts: int} jvp_region vjp_region batching_region lowering
