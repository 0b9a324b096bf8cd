"""The differential sweep: generate programs, check every transformation, minimize differences.

    python -m tests.differential.run --cases 10000 --seed 0

prints programs × transformations checked and each difference as a short
standalone snippet.  `check()` is what the pytest file calls.
"""
from __future__ import annotations

import argparse
import sys
import time

from . import gen, harness, minimize
from .worker import Crash, Worker


class Checker:
    """Runs batches: JAX in this process, irax in the worker; bisects failed batches."""

    def __init__(self, timeout=1200):
        self.worker = Worker(timeout)
        self.jax = None
        self.checked = 0

    def irax(self, items):
        """irax's results, bisecting a batch that fails or crashes as a whole."""
        try:
            res = self.worker.run(items)
        except Crash as e:
            res = ("batch_error", "crash", str(e))
        if res[0] != "batch_error":
            return res
        if len(items) == 1:
            return [("crash", res[2]) if res[1] == "crash" else ("error",) + res[1:]]
        mid = len(items) // 2
        return self.irax(items[:mid]) + self.irax(items[mid:])

    def reference(self, items):
        if self.jax is None:
            self.jax = harness.Lib("jax")
        res = harness.run_batch(self.jax, items)
        if res[0] != "batch_error":
            return res
        if len(items) == 1:
            return [("error",) + res[1:]]
        mid = len(items) // 2
        return self.reference(items[:mid]) + self.reference(items[mid:])

    def differences(self, items):
        """Differences among (transform, program) items, checked as one batch."""
        items = [(t, p) for t, p in items if harness.applies(p, t)]
        if not items:
            return []
        want, got = self.reference(items), self.irax(items)
        self.checked += len(items)
        return [d for (t, p), g, w in zip(items, got, want) if (d := harness.compare(p, t, g, w))]

    def close(self):
        self.worker.close()


def check(cases, seed=0, transforms=harness.TRANSFORMS, batch=64, eager_cases=None,
          minimize_budget=120.0, out=sys.stdout, gen_options=None, seeds=None):
    """Check `cases` programs (seeds seed..seed+cases-1, or the list `seeds`);
    returns (program × transformation pairs checked, minimized differences)."""
    t0 = time.time()
    seeds = list(seeds) if seeds is not None else range(seed, seed + cases)
    progs = [gen.generate(s, **(gen_options or {})) for s in seeds]
    print(f"generated {len(progs)} programs in {time.time() - t0:.1f} s", file=out, flush=True)
    checker = Checker()
    found = []
    try:
        for group in (["eager"], [t for t in transforms if t != "eager"]):
            t1 = time.time()
            items = [(t, p) for t in group if t in transforms
                     for p in (progs[:eager_cases] if t == "eager" and eager_cases is not None else progs)]
            items = [(t, p) for t, p in items if harness.applies(p, t)]
            n_before = len(found)
            for i in range(0, len(items), batch):
                found += checker.differences(items[i:i + batch])
            print(f"{'+'.join(group)}: {len(items)} program × transformation pairs, "
                  f"{len(found) - n_before} differences, {time.time() - t1:.1f} s", file=out, flush=True)
        reports = minimize.minimize_all(found, checker, budget=minimize_budget, out=out)
    finally:
        checker.close()
    print(f"checked {checker.checked} program × transformation pairs in {time.time() - t0:.1f} s; "
          f"{len(found)} differences", file=out, flush=True)
    return checker.checked, reports


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seeds", default=None, help="comma-separated seeds to check instead (e.g. to recheck differences)")
    ap.add_argument("--batch", type=int, default=64, help="program × transformation pairs per compiled module")
    ap.add_argument("--transforms", default=",".join(harness.TRANSFORMS))
    ap.add_argument("--eager-cases", type=int, default=None, help="run eager mode on only the first N programs")
    ap.add_argument("--minimize-budget", type=float, default=600.0, help="seconds for shrinking differences")
    ap.add_argument("--exclude", default="", help="op families to leave out, comma-separated")
    a = ap.parse_args(argv)
    options = {"exclude": tuple(x for x in a.exclude.split(",") if x)}
    checked, reports = check(a.cases, a.seed, a.transforms.split(","), a.batch, a.eager_cases,
                             a.minimize_budget, gen_options=options,
                             seeds=[int(x) for x in a.seeds.split(",")] if a.seeds else None)
    for r in reports:
        print("\n" + r)
    return 1 if reports else 0


if __name__ == "__main__":
    sys.exit(main())
