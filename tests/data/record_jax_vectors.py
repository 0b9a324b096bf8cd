"""Record reference outputs of jax.random for tests/test_random.py.

Run with a JAX installation (not a dependency of irax):

    python3 -m venv /tmp/jaxenv && /tmp/jaxenv/bin/pip install "jax[cpu]"
    /tmp/jaxenv/bin/python tests/data/record_jax_vectors.py

Each case names a jax.random function, the seed of its key (an optional
`fold_in` value derives the key further) and keyword arguments; the test
calls irax.random with the same ones.  Floats are stored as float32 bit
patterns so the JSON round trip is exact.
"""
import json
import os

import jax
import numpy as np

CASES = [
    ("PRNGKey", s, {}) for s in (0, 1, 42, -1, 2**31 - 1, 2**32 + 5, 2**40 + 3, -(2**35))
] + [
    ("split", 0, {}), ("split", 42, {"num": 5}), ("split", 7, {"num": (2, 3)}),
    ("split", -1, {"num": 1}),
    ("fold_in", 0, {"data": 0}), ("fold_in", 42, {"data": 1}),
    ("fold_in", 3, {"data": 12345}), ("fold_in", 3, {"data": 2**32 - 1}),
    ("bits", 0, {"shape": ()}), ("bits", 0, {"shape": (7,)}), ("bits", 5, {"shape": (3, 4)}),
    ("bits", 9, {"shape": (6,), "dtype": "uint8"}),
    ("uniform", 0, {"shape": ()}), ("uniform", 0, {"shape": (5,)}),
    ("uniform", 123, {"shape": (2, 3), "minval": -2.0, "maxval": 3.0}),
    ("uniform", 1, {"shape": (64,)}),
    ("normal", 0, {"shape": (10,)}), ("normal", 1, {"shape": (4, 5)}), ("normal", 2, {"shape": ()}),
    ("normal", 3, {"shape": (256,)}),
    ("truncated_normal", 0, {"lower": -2.0, "upper": 2.0, "shape": (10,)}),
    ("truncated_normal", 4, {"lower": -1.0, "upper": 0.5, "shape": (3, 3)}),
    ("truncated_normal", 5, {"lower": -2.0, "upper": 2.0, "shape": (128,)}),
    ("bernoulli", 0, {"p": 0.3, "shape": (20,)}), ("bernoulli", 8, {"p": 0.5, "shape": (4, 4)}),
    ("randint", 0, {"shape": (10,), "minval": 0, "maxval": 10}),
    ("randint", 1, {"shape": (2, 5), "minval": -5, "maxval": 5}),
    ("randint", 2, {"shape": (8,), "minval": 0, "maxval": 2**31 - 1}),
    ("randint", 3, {"shape": (6,), "minval": 3, "maxval": 3}),
    ("categorical", 0, {"logits": [0.1, 1.0, -0.5, 2.0, 0.0], "shape": (10,)}),
    ("categorical", 6, {"logits": [[0.0, 1.0, 2.0, 3.0], [3.0, 2.0, 1.0, 0.0],
                                   [0.0, 0.0, 0.0, 0.0]]}),
    ("permutation", 0, {"x": 10}), ("permutation", 11, {"x": 1000}),
    ("permutation", 1, {"x": [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]}),
    ("choice", 0, {"a": 10, "shape": (5,)}),
    ("choice", 1, {"a": 10, "shape": (4,), "replace": False}),
    ("choice", 2, {"a": 4, "shape": (12,), "p": [0.1, 0.2, 0.3, 0.4]}),
    ("choice", 3, {"a": 6, "shape": (3,), "replace": False, "p": [0.1, 0.1, 0.2, 0.2, 0.2, 0.2]}),
    ("gumbel", 0, {"shape": (8,)}), ("gumbel", 3, {"shape": (2, 3)}),
    # keys derived further: a fold_in, then the sampler
    ("normal", 0, {"shape": (6,)}, 17), ("uniform", 99, {"shape": (4,)}, 5),
    # jax.nn.initializers: "factory" holds the factory's arguments
    ("nn.initializers.glorot_normal", 0, {"shape": (6, 4), "factory": {}}),
    ("nn.initializers.glorot_uniform", 1, {"shape": (5, 3), "factory": {}}),
    ("nn.initializers.he_normal", 2, {"shape": (3, 3, 2, 4), "factory": {}}),
    ("nn.initializers.he_uniform", 3, {"shape": (8, 2), "factory": {}}),
    ("nn.initializers.lecun_normal", 4, {"shape": (7, 5), "factory": {}}),
    ("nn.initializers.variance_scaling", 5, {"shape": (4, 6), "factory": {
        "scale": 0.5, "mode": "fan_out", "distribution": "normal"}}),
    ("nn.initializers.normal", 6, {"shape": (5,), "factory": {"stddev": 0.1}}),
    ("nn.initializers.uniform", 7, {"shape": (2, 3), "factory": {"scale": 2.0}}),
    ("nn.initializers.truncated_normal", 8, {"shape": (6,), "factory": {"stddev": 0.5}}),
]


def encode(x):
    x = np.asarray(x)
    if x.dtype == np.float32:
        return {"dtype": "float32", "shape": list(x.shape),
                "bits": x.view(np.uint32).ravel().tolist()}
    return {"dtype": str(x.dtype), "shape": list(x.shape), "values": x.ravel().tolist()}


def run(fn, seed, kwargs, fold=None):
    if fn == "PRNGKey":
        return jax.random.PRNGKey(seed)
    key = jax.random.PRNGKey(seed)
    if fold is not None:
        key = jax.random.fold_in(key, fold)
    kw = dict(kwargs)
    for k in ("logits", "x", "p"):
        if isinstance(kw.get(k), list):
            kw[k] = np.asarray(kw[k], np.float32 if k != "x" else np.int32)
    if fn == "bits" and "dtype" in kw:
        kw["dtype"] = np.dtype(kw["dtype"])
    if fn.startswith("nn.initializers."):
        factory = getattr(jax.nn.initializers, fn.split(".")[-1])
        return factory(**kw["factory"])(key, kw["shape"])
    return getattr(jax.random, fn)(key, **kw)


def main():
    out = []
    for case in CASES:
        fn, seed, kwargs = case[:3]
        fold = case[3] if len(case) > 3 else None
        rec = {"fn": fn, "seed": seed, "kwargs": kwargs,
               "result": encode(run(fn, seed, kwargs, fold))}
        if fold is not None:
            rec["fold_in"] = fold
        out.append(rec)
    meta = {"jax_version": jax.__version__,
            "jax_threefry_partitionable": bool(jax.config.jax_threefry_partitionable),
            "jax_default_prng_impl": str(jax.config.jax_default_prng_impl)}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jax_random_vectors.json")
    with open(path, "w") as f:
        json.dump({"meta": meta, "cases": out}, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(out)} cases to {path}")


if __name__ == "__main__":
    main()
