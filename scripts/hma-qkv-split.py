#!/usr/bin/env python3
"""Where the tiny reasoner pair's two skills conflict, one step finer than whole tensors.

An experiment record for docs/merge.md, run with the shared model folder's own numpy evaluator (npeval.py), so it
checks the Java HMA figures from outside the SDK. The first block's fused `qkv` projection is split into its query,
key and value rows (224 each), the split HMA's "linearwise" grouping makes on models with separate q/k/v modules.

  transplants: the base with each subset of block 0's q, k, v rows taken from the tuned model, and the reverse;
  search:      a random search with local steps over 6 groups at a pinned mean share of the base of 0.5
               (emb + block 0 without qkv, block 0 q, block 0 k, block 0 v, blocks 1-2, blocks 3-5 + ln_f + head).

Scores use every 10th problem of each set (30 expression, 60 word problems), about 9 s per point on 2 cores.
Usage: python3 scripts/hma-qkv-split.py transplants|search [--evals N] [--seed S]
"""
import argparse
import itertools
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "..", "shared", "models")
sys.path.insert(0, os.path.join(MODELS, "tiny-reasoner-tuned"))
import npeval  # noqa: E402  (the shared evaluator, not copied into the project)

D_MODEL = 224


def load():
    base = npeval.read_safetensors(os.path.join(MODELS, "tiny-reasoner-tuned", "base.safetensors"))
    tuned = npeval.read_safetensors(os.path.join(MODELS, "tiny-reasoner-tuned", "tuned.safetensors"))
    word = [json.loads(line) for line in open(os.path.join(MODELS, "tiny-reasoner", "eval-problems.jsonl"))]
    expr = [json.loads(line) for line in open(os.path.join(MODELS, "tiny-reasoner-tuned", "expr-problems.jsonl"))]
    return base, tuned, word, expr


def qkv_rows(q, k, v):
    """Per-row share of the base for a fused qkv tensor ([672, 224] weight or [672] bias)."""
    return np.concatenate([np.full(D_MODEL, q), np.full(D_MODEL, k), np.full(D_MODEL, v)]).astype(np.float32)


def merge(base, tuned, share):
    """share(name) -> a scalar or a per-row vector of the base's share."""
    merged = {}
    for name in base:
        s = np.asarray(share(name), dtype=np.float32)
        if s.ndim == 1 and base[name].ndim == 2:
            s = s[:, None]
        merged[name] = s * base[name] + (np.float32(1) - s) * tuned[name]
    return merged


def score(weights, word, expr, every):
    model = npeval.Model(weights)
    new = npeval.accuracy(model, expr[::every])[0]
    original = npeval.accuracy(model, word[::every])[0]
    return round(new, 3), round(original, 3)


def group_of(name):
    if name.startswith("blocks."):
        layer = int(name.split(".")[1])
        if layer == 0:
            return -1 if name.startswith("blocks.0.qkv") else 0
        return 4 if layer <= 2 else 5
    return 0 if name.startswith(("tok_emb", "pos_emb")) else 5


def grouped(shares):
    return lambda name: qkv_rows(*shares[1:4]) if group_of(name) == -1 else shares[group_of(name)]


def pin_mean(shares, mean=0.5):
    shares = np.clip(np.asarray(shares, dtype=float), 0, 1)
    for _ in range(50):
        shares = np.clip(shares + (mean - shares.mean()), 0, 1)
    return shares


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=["transplants", "search"])
    ap.add_argument("--evals", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--every", type=int, default=10)
    args = ap.parse_args()
    base, tuned, word, expr = load()
    start = time.time()
    if args.what == "transplants":
        for into, other in (("base", 0.0), ("tuned", 1.0)):
            own = 1.0 - other
            for parts in itertools.product([False, True], repeat=3):
                shares = [other if taken else own for taken in parts]
                share = (lambda s: lambda name: qkv_rows(*s) if name.startswith("blocks.0.qkv") else own)(shares)
                taken = "".join(p for p, t in zip("qkv", parts) if t) or "none"
                print(json.dumps(dict(model=into, block0_rows_from_the_other=taken,
                                      new_and_original=score(merge(base, tuned, share), word, expr, args.every),
                                      seconds=round(time.time() - start))), flush=True)
        return
    rng = np.random.default_rng(args.seed)
    starts = [[0.5, 1, 1, 1, 0.5, 0], [0, 1, 1, 1, 0, 0], [1, 1, 1, 1, 0, 0], [0, 0, 1, 0, 1, 1],
              [1, 0, 1, 0, 0.5, 0.5], [0.5, 0.5, 1, 0, 0.5, 0.5]]
    best = None
    for i in range(args.evals):
        if i < len(starts):
            shares = pin_mean(starts[i])
        elif best is not None and rng.random() < 0.6:
            shares = pin_mean(best[1] + rng.normal(0, 0.25, 6))
        else:
            shares = pin_mean(rng.random(6))
        result = score(merge(base, tuned, grouped(shares)), word, expr, args.every)
        if best is None or min(result) > best[0]:
            best = (min(result), shares, result)
        print(json.dumps(dict(evaluation=i, shares=np.round(shares, 3).tolist(), new_and_original=result,
                              best_min=best[0], seconds=round(time.time() - start))), flush=True)


if __name__ == "__main__":
    main()
