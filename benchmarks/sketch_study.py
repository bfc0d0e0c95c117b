#!/usr/bin/env python
"""Deterministic mergeable quantile summaries: Apache DataSketches vs seeded bottom-k samples.

Self-contained study (numpy, pandas, datasketches).  Prints markdown tables.
Needs `pip install datasketches` (not a project dependency).

    python benchmarks/sketch_study.py          # full study (~2 min on one busy core)
    python benchmarks/sketch_study.py --quick  # 1M rows only, no 10M section
    python benchmarks/sketch_study.py --child  # internal: one fingerprint run (5-process check)

Profiled statistics (same as the advisor's numeric profile): q01 q05 q25 q50 q75 q95 q99,
IQR, MAD (median absolute deviation from the median), share of values beyond the Tukey
fences at 1.5 and 3 IQR.

Summaries compared
  kll_d200     datasketches.kll_doubles_sketch(k=200)           (library default k)
  kll_d2000    datasketches.kll_doubles_sketch(k=2000)
  kll_f200     datasketches.kll_floats_sketch(k=200)            (values rounded to float32)
  req_f12      datasketches.req_floats_sketch(k=12, is_hra=True) (library default; float32)
  tdigest200   datasketches.tdigest_double(k=200)                (no RNG, for contrast)
  bk_content   bottom-k rows, key = splitmix64(value bits ^ seed)            k=100,000
  bk_rowid     bottom-k rows, key = splitmix64(value bits, global row no, seed) k=100,000
  distinct_cnt bottom-k DISTINCT values by content key, with exact counts     k=100,000
  hybrid       distinct_cnt when the column has <= k distinct values (then exact), else bk_rowid
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

from importlib.metadata import version as _pkg_version

import datasketches as ds
import numpy as np
import pandas as pd

SEED = 20240611
K_SAMPLE = 100_000
REPEATS = 3
PS = np.array([0.01, 0.05, 0.25, 0.50, 0.75, 0.95, 0.99])
STAT_NAMES = ["q01", "q05", "q25", "q50", "q75", "q95", "q99", "iqr", "mad", "beyond1.5", "beyond3"]
M64 = np.uint64(0xFFFFFFFFFFFFFFFF)

# --------------------------------------------------------------------------- data


def make_column(name: str, n: int, seed: int = SEED) -> np.ndarray:
    rng = np.random.default_rng([seed, n, sum(map(ord, name))])
    if name == "lognormal":
        return rng.lognormal(0.0, 1.0, n)
    if name == "normal_outliers":
        x = rng.normal(100.0, 15.0, n)
        m = rng.random(n) < 0.01
        x[m] = rng.normal(100.0, 300.0, int(m.sum()))
        return x
    if name == "zi_count":  # zero-inflated counts: 35% structural zeros + NB(2, 0.3)
        x = rng.negative_binomial(2, 0.3, n).astype(np.float64)
        x[rng.random(n) < 0.35] = 0.0
        return x
    if name == "zero_spike_amount":  # 30% exact zeros + lognormal amounts rounded to cents
        x = np.round(rng.lognormal(3.0, 1.0, n), 2)
        x[rng.random(n) < 0.30] = 0.0
        return x
    if (
        name == "zero_spike_cont"
    ):  # 30% exact zeros + unrounded lognormal (many distinct values + one heavy value)
        x = rng.lognormal(3.0, 1.0, n)
        x[rng.random(n) < 0.30] = 0.0
        return x
    raise ValueError(name)


COLUMNS = ["lognormal", "normal_outliers", "zi_count", "zero_spike_amount", "zero_spike_cont"]


def split(x: np.ndarray, p: int, seed: int) -> list[tuple[int, np.ndarray]]:
    """Unequal contiguous partitions (offset, values), like Dask partitions of an ordered frame."""
    if p == 1:
        return [(0, x)]
    rng = np.random.default_rng([seed, p, 7])
    cuts = np.sort(rng.choice(np.arange(1, len(x)), p - 1, replace=False))
    bounds = np.concatenate([[0], cuts, [len(x)]])
    return [(int(a), x[a:b]) for a, b in itertools.pairwise(bounds)]


# --------------------------------------------------------------------------- hashing


def splitmix64(z: np.ndarray) -> np.ndarray:
    z = z.astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        z += np.uint64(0x9E3779B97F4A7C15)
        z ^= z >> np.uint64(30)
        z *= np.uint64(0xBF58476D1CE4E5B9)
        z ^= z >> np.uint64(27)
        z *= np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    return z


def seed_words(seed: int) -> tuple[np.uint64, np.uint64]:
    s = splitmix64(np.array([seed, seed ^ 0x5DEECE66D], dtype=np.uint64))
    return s[0], s[1]


def value_bits(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64) + 0.0  # -0.0 -> +0.0
    return x.view(np.uint64)


def content_key(x: np.ndarray, seed: int) -> np.ndarray:
    s1, _ = seed_words(seed)
    return splitmix64(value_bits(x) ^ s1)


def rowid_key(x: np.ndarray, offset: int, seed: int) -> np.ndarray:
    s1, s2 = seed_words(seed)
    rid = np.arange(offset, offset + len(x), dtype=np.uint64)
    with np.errstate(over="ignore"):
        return splitmix64(splitmix64(value_bits(x) ^ s1) ^ splitmix64(rid ^ s2))


def pandas_content_key(x: np.ndarray, seed: int) -> np.ndarray:
    """Alternative row hash via pandas (works for multi-column frames too).

    NOTE: hash_pandas_object IGNORES hash_key for numeric columns (it is only used for
    object/string values), so the seed must be mixed in afterwards.
    """
    s1, _ = seed_words(seed)
    hash_key = f"{int(s1):016x}"  # 16 characters, derived from the seed
    h = pd.util.hash_pandas_object(
        pd.DataFrame({"v": x}), index=False, hash_key=hash_key
    ).to_numpy()
    return splitmix64(h ^ s1)


def pandas_hash_key_ignored_for_numbers() -> bool:
    df = pd.DataFrame({"v": np.linspace(0.5, 9.5, 10), "c": np.arange(10)})
    a = pd.util.hash_pandas_object(df, index=False, hash_key="0123456789abcdef").to_numpy()
    b = pd.util.hash_pandas_object(df, index=False, hash_key="fedcba9876543210").to_numpy()
    return bool((a == b).all())


def smallest_k(keys: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k smallest keys, ties at the boundary broken by the caller's content order."""
    if len(keys) <= k:
        return np.arange(len(keys))
    return np.argpartition(keys, k - 1)[:k]


# --------------------------------------------------------------------------- summaries


class LibSketch:
    """Wrapper over a datasketches quantile sketch; summaries travel as serialized bytes."""

    def __init__(self, name, cls, k, f32=False, **kw):
        self.name, self.cls, self.k, self.f32, self.kw = name, cls, k, f32, kw

    def new(self):
        return self.cls(self.k, **self.kw)

    def build(self, x, offset, seed):
        s = self.new()
        s.update(x.astype(np.float32) if self.f32 else x)
        return s.serialize()

    def merge(self, blobs):
        acc = self.new()
        for b in blobs:
            acc.merge(self.cls.deserialize(b))
        return acc.serialize()

    def stats(self, blob):
        s = self.cls.deserialize(blob)
        tdig = self.cls is ds.tdigest_double

        def rank(v, inclusive):
            return s.get_rank(v) if tdig else s.get_rank(v, inclusive)

        q = [float(s.get_quantile(float(p))) for p in PS]
        med = q[3]
        lo, hi = 0.0, max(abs(float(s.get_max_value()) - med), abs(med - float(s.get_min_value())))
        for _ in range(90):  # smallest m with F(med+m) - F(med-m) >= 0.5
            m = 0.5 * (lo + hi)
            if m in (lo, hi):
                break
            if rank(med + m, True) - rank(med - m, False) >= 0.5:
                hi = m
            else:
                lo = m
        iqr = q[4] - q[2]
        shares = []
        for c in (1.5, 3.0):
            shares.append(rank(q[2] - c * iqr, False) + 1.0 - rank(q[4] + c * iqr, True))
        return [*q, iqr, hi, *shares]


def _pack(*arrays):
    n = len(arrays[0])
    return np.int64(n).tobytes() + b"".join(np.ascontiguousarray(a).tobytes() for a in arrays)


def _unpack(blob, dtypes):
    n = int(np.frombuffer(blob[:8], np.int64)[0])
    out, pos = [], 8
    for dt in dtypes:
        a = np.frombuffer(blob, dt, n, pos)
        out.append(a)
        pos += n * np.dtype(dt).itemsize
    return out


def sample_stats(v: np.ndarray, w: np.ndarray | None = None):
    """Stats of a (weighted) sample.

    Unweighted: numpy 'linear' quantiles; weighted: inverted CDF.
    """
    v = np.sort(v) if w is None else v
    if w is None:
        q = list(np.quantile(v, PS))
        med = q[3]
        mad = float(np.median(np.abs(v - med)))
        iqr = q[4] - q[2]
        sh = [float(np.mean((v < q[2] - c * iqr) | (v > q[4] + c * iqr))) for c in (1.5, 3.0)]
        return [float(a) for a in q] + [float(iqr), mad] + sh

    o = np.argsort(v, kind="stable")
    v, w = v[o], w[o].astype(np.float64)
    cw = np.cumsum(w)
    tot = cw[-1]

    def wq(vals, cum, p):
        return float(vals[min(np.searchsorted(cum, p * cum[-1], "left"), len(vals) - 1)])

    q = [wq(v, cw, p) for p in PS]
    med = q[3]
    d = np.abs(v - med)
    od = np.argsort(d, kind="stable")
    mad = wq(d[od], np.cumsum(w[od]), 0.5)
    iqr = q[4] - q[2]
    sh = [float(w[(v < q[2] - c * iqr) | (v > q[4] + c * iqr)].sum() / tot) for c in (1.5, 3.0)]
    return [*q, iqr, mad, *sh]


class BottomK:
    """Bottom-k row sample.  Summary = (keys uint64, values float64), k smallest keys."""

    def __init__(self, name, rowid: bool, k=K_SAMPLE):
        self.name, self.rowid, self.k = name, rowid, k

    def build(self, x, offset, seed):
        keys = rowid_key(x, offset, seed) if self.rowid else content_key(x, seed)
        i = smallest_k(keys, self.k)
        return self._canon(keys[i], x[i])

    def _canon(self, keys, vals):
        o = np.lexsort((value_bits(vals), keys))  # canonical order -> canonical bytes
        return _pack(keys[o], vals[o])

    def merge(self, blobs):
        parts = [_unpack(b, [np.uint64, np.float64]) for b in blobs]
        keys = np.concatenate([p[0] for p in parts])
        vals = np.concatenate([p[1] for p in parts])
        i = smallest_k(keys, self.k)
        return self._canon(keys[i], vals[i])

    def stats(self, blob):
        _, vals = _unpack(blob, [np.uint64, np.float64])
        return sample_stats(vals)


class DistinctCounts:
    """Bottom-k DISTINCT values by content key, each with its exact total count.

    Partition-invariant because a value's key does not depend on where it occurs: a value in
    the global bottom-k is in the bottom-k of every partition holding it, so its count is exact.
    'full' flag = no value was ever dropped  <=>  the column has <= k distinct values.
    """

    def __init__(self, name, k=K_SAMPLE):
        self.name, self.k = name, k

    def _finish(self, vals, cnts, full, seed):
        keys = content_key(vals, seed)
        if len(keys) > self.k:
            full = False
            i = smallest_k(keys, self.k)
            keys, vals, cnts = keys[i], vals[i], cnts[i]
        o = np.argsort(keys, kind="stable")
        return (
            np.int64(int(full)).tobytes()
            + np.int64(seed).tobytes()
            + _pack(keys[o], vals[o], cnts[o])
        )

    def build(self, x, offset, seed):
        vals, cnts = np.unique(x + 0.0, return_counts=True)
        return self._finish(vals, cnts.astype(np.int64), True, seed)

    @staticmethod
    def _parse(blob):
        full = bool(np.frombuffer(blob[:8], np.int64)[0])
        seed = int(np.frombuffer(blob[8:16], np.int64)[0])
        keys, vals, cnts = _unpack(blob[16:], [np.uint64, np.float64, np.int64])
        return full, seed, keys, vals, cnts

    def merge(self, blobs):
        parts = [self._parse(b) for b in blobs]
        full = all(p[0] for p in parts)
        vals = np.concatenate([p[3] for p in parts])
        cnts = np.concatenate([p[4] for p in parts])
        u, inv = np.unique(vals, return_inverse=True)
        c = np.bincount(inv, weights=cnts, minlength=len(u)).astype(np.int64)
        return self._finish(u, c, full, parts[0][1])

    def is_full(self, blob):
        return self._parse(blob)[0]

    def stats(self, blob):
        _, _, _, vals, cnts = self._parse(blob)
        return sample_stats(np.asarray(vals), np.asarray(cnts))


def make_methods():
    return [
        LibSketch("kll_d200", ds.kll_doubles_sketch, 200),
        LibSketch("kll_d2000", ds.kll_doubles_sketch, 2000),
        LibSketch("kll_f200", ds.kll_floats_sketch, 200, f32=True),
        LibSketch("req_f12", ds.req_floats_sketch, 12, f32=True, is_hra=True),
        LibSketch("tdigest200", ds.tdigest_double, 200),
        BottomK("bk_content", rowid=False),
        BottomK("bk_rowid", rowid=True),
        DistinctCounts("distinct_cnt"),
    ]


# --------------------------------------------------------------------------- merging


def merge_in_order(method, blobs, order, tree: bool, split_every=8):
    blobs = [blobs[i] for i in order]
    if not tree:
        return method.merge(blobs)
    while len(blobs) > 1:  # dask-style tree reduction
        blobs = [
            method.merge(blobs[i : i + split_every]) for i in range(0, len(blobs), split_every)
        ]
    return blobs[0]


def configs(seed=SEED):
    """(label, n_partitions, order-seed or None, tree?)"""
    out = [("P1", 1, None, False)]
    for p in (7, 24):
        out.append((f"P{p}-seq", p, None, False))
        out.append((f"P{p}-shufA", p, 1, False))
        out.append((f"P{p}-shufB", p, 2, False))
        out.append((f"P{p}-shufTree", p, 3, True))
    return out


def order_for(p, oseed):
    if oseed is None:
        return list(range(p))
    return list(np.random.default_rng([SEED, p, oseed]).permutation(p))


def fp(values) -> str:
    return hashlib.sha1("|".join(float(v).hex() for v in values).encode()).hexdigest()[:12]


def hybrid_stats(res_cnt_blob, res_row_blob, m_cnt, m_row):
    return m_cnt.stats(res_cnt_blob) if m_cnt.is_full(res_cnt_blob) else m_row.stats(res_row_blob)


# --------------------------------------------------------------------------- accuracy


class Exact:
    def __init__(self, x):
        self.xs = np.sort(x)
        self.n = len(x)
        q = np.quantile(self.xs, PS)
        med = q[3]
        self.mad = float(np.median(np.abs(self.xs - med)))
        iqr = q[4] - q[2]
        self.shares = [
            float(np.mean((self.xs < q[2] - c * iqr) | (self.xs > q[4] + c * iqr)))
            for c in (1.5, 3.0)
        ]
        self.q = q

    def errors(self, st):
        qh = np.array(st[:7])
        lo = np.searchsorted(self.xs, qh, "left") / self.n
        hi = np.searchsorted(self.xs, qh, "right") / self.n
        rank_err = float(np.max(np.maximum(0.0, np.maximum(lo - PS, PS - hi))))
        mad_err = abs(st[8] - self.mad) / self.mad if self.mad > 0 else abs(st[8])
        fence_err = max(abs(st[9] - self.shares[0]), abs(st[10] - self.shares[1]))
        return rank_err, mad_err, fence_err


# --------------------------------------------------------------------------- child mode


def child_fingerprints():
    """Same build, fresh process: 1M lognormal, P1 and P7-seq merge, all summaries."""
    x = make_column("lognormal", 1_000_000)
    out = {}
    for m in make_methods():
        b1 = m.build(x, 0, SEED)
        parts = [m.build(v, off, SEED) for off, v in split(x, 7, SEED)]
        b7 = merge_in_order(m, parts, list(range(7)), False)
        out[m.name] = [fp(m.stats(b1)), fp(m.stats(b7)), hashlib.sha1(b1).hexdigest()[:12]]
    return out


# --------------------------------------------------------------------------- main


def main(quick=False):
    t_start = time.perf_counter()
    methods = make_methods()
    names = [m.name for m in methods] + ["hybrid"]
    by = {m.name: m for m in methods}

    def log(*a):
        print(f"[{time.perf_counter() - t_start:6.1f}s]", *a, file=sys.stderr, flush=True)

    print(
        f"# Sketch study\n\ndatasketches {_pkg_version('datasketches')} "
        f"| numpy {np.__version__} | pandas {pd.__version__} | python {sys.version.split()[0]} "
        f"| seed {SEED} | bottom-k k={K_SAMPLE}\n"
    )

    # ---- 1. determinism: 5 separate processes
    log("5 child processes")
    child = []
    for _ in range(5):
        r = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--child"],
            capture_output=True,
            text=True,
            check=True,
        )
        child.append(json.loads(r.stdout))
    proc_distinct = {n: len({tuple(c[n]) for c in child}) for n in child[0]}

    # ---- 1b. determinism: 5 repeats in this process
    log("5 in-process repeats")
    x = make_column("lognormal", 1_000_000)
    inproc = {m.name: set() for m in methods}
    for _ in range(5):
        for m in methods:
            b = m.build(x, 0, SEED)
            inproc[m.name].add((fp(m.stats(b)), hashlib.sha1(b).hexdigest()))
    inproc_distinct = {n: len(s) for n, s in inproc.items()}
    perm = np.random.default_rng([SEED, 99]).permutation(len(x))
    row_perm_same = {}  # same multiset of rows, different row order (e.g. files listed differently)
    for m in methods[5:]:
        row_perm_same[m.name] = (
            fp(m.stats(m.build(x[perm], 0, SEED))) == next(iter(inproc[m.name]))[0]
        )
    other_seed = {}
    for m in methods[5:]:
        other_seed[m.name] = fp(m.stats(m.build(x, 0, SEED + 1))) != next(iter(inproc[m.name]))[0]

    # example of the drift: kll_d200 median over the 5 child processes
    kll_example = [c["kll_d200"][0] for c in child]

    # ---- 2. partitioning / order grid at 1M, all columns
    cfgs = configs()
    grid_distinct = {n: {} for n in names}
    acc1m = {n: {} for n in names}
    bytes1m = {n: [] for n in names}
    examples = {}
    n_distinct = {}
    for col in COLUMNS:
        log("1M grid", col)
        x = make_column(col, 1_000_000)
        ex = Exact(x)
        n_distinct[col] = [len(np.unique(x))]
        results = {n: [] for n in names}
        for p in (1, 7, 24):
            parts = split(x, p, SEED)
            built = {m.name: [m.build(v, off, SEED) for off, v in parts] for m in methods}
            for label, pp, oseed, tree in cfgs:
                if pp != p:
                    continue
                order = order_for(p, oseed)
                merged = {m.name: merge_in_order(m, built[m.name], order, tree) for m in methods}
                for m in methods:
                    st = m.stats(merged[m.name])
                    results[m.name].append((label, st))
                    bytes1m[m.name].append(len(merged[m.name]))
                st = hybrid_stats(
                    merged["distinct_cnt"], merged["bk_rowid"], by["distinct_cnt"], by["bk_rowid"]
                )
                results["hybrid"].append((label, st))
                bytes1m["hybrid"].append(len(merged["distinct_cnt"]) + len(merged["bk_rowid"]))
        for n in names:
            grid_distinct[n][col] = len({fp(st) for _, st in results[n]})
            errs = np.array([ex.errors(st) for _, st in results[n]])
            acc1m[n][col] = errs.max(axis=0)  # worst over the 9 configs
        examples[col] = {
            n: {lab: st for lab, st in results[n]} for n in ("kll_d200", "bk_rowid", "bk_content")
        }
        examples[col]["exact"] = [*ex.q, ex.q[4] - ex.q[2], ex.mad, *ex.shares]

    # ---- 3. 10M: accuracy (P24 shuffled tree merge), build and merge speed
    acc10m = {n: {} for n in names}
    speed = {n: {} for n in names}
    bytes10m = {n: {} for n in names}
    hash_timing = {}
    if not quick:
        for col in COLUMNS:
            log("10M", col)
            x = make_column(col, 10_000_000)
            ex = Exact(x)
            n_distinct[col].append(int(1 + np.count_nonzero(np.diff(ex.xs))))
            parts = split(x, 24, SEED)
            order = order_for(24, 3)
            merged = {}
            for m in methods:
                t_build = t_merge = float("inf")
                for _ in range(REPEATS):  # best of REPEATS: the machine is shared
                    t0 = time.perf_counter()
                    b = m.build(x, 0, SEED)
                    t_build = min(t_build, time.perf_counter() - t0)
                    del b
                pb = [m.build(v, off, SEED) for off, v in parts]
                for _ in range(REPEATS):
                    t0 = time.perf_counter()
                    mb = merge_in_order(m, pb, order, False)
                    t_merge = min(t_merge, time.perf_counter() - t0)
                merged[m.name] = mb
                acc10m[m.name][col] = ex.errors(m.stats(mb))
                bytes10m[m.name][col] = len(mb)
                speed[m.name][col] = (t_build, t_merge)
                del pb
            st = hybrid_stats(
                merged["distinct_cnt"], merged["bk_rowid"], by["distinct_cnt"], by["bk_rowid"]
            )
            acc10m["hybrid"][col] = ex.errors(st)
            bytes10m["hybrid"][col] = len(merged["distinct_cnt"]) + len(merged["bk_rowid"])
            speed["hybrid"][col] = tuple(
                a + b
                for a, b in zip(speed["distinct_cnt"][col], speed["bk_rowid"][col], strict=True)
            )
            if col == "lognormal":
                for label, fn in (
                    ("numpy splitmix64 content key", lambda x=x: content_key(x, SEED)),
                    ("numpy splitmix64 content+rowid key", lambda x=x: rowid_key(x, 0, SEED)),
                    (
                        "pandas hash_pandas_object + splitmix64(h ^ seed)",
                        lambda x=x: pandas_content_key(x, SEED),
                    ),
                    ("np.sort (exact reference, for scale)", lambda x=x: np.sort(x)),
                ):
                    ts = []
                    for _ in range(REPEATS):
                        t0 = time.perf_counter()
                        fn()
                        ts.append(time.perf_counter() - t0)
                    hash_timing[label] = min(ts)
                del fn  # the last closure holds x through its default argument
            del x, ex

    # ---- print
    print("## Determinism (bit-identical stats)\n")
    print(
        "Counts are numbers of DISTINCT results; 1 = deterministic.  "
        "'5 procs' = same build (1M lognormal, 1 partition and 7-partition merge) "
        "in 5 fresh processes; "
        "'5 in-proc' = the same build 5 times in one process; "
        "'grid' = 9 partitionings/merge orders "
        "(P1; P7 and P24 each sequential, 2 shuffled sequential, shuffled tree) per column, "
        "" + " / ".join(COLUMNS) + ".\n"
    )
    print(
        "| summary | 5 procs | 5 in-proc | grid (per column) "
        "| bytes merged 1M (max) | bytes merged 10M (max) |"
    )
    print("|---|---|---|---|---|---|")
    for n in names:
        pd_ = proc_distinct.get(n, "-")
        ip = inproc_distinct.get(n, "-")
        g = " / ".join(str(grid_distinct[n][c]) for c in COLUMNS)
        b10 = max(bytes10m[n].values()) if bytes10m[n] else "-"
        print(
            f"| {n} | {pd_} | {ip} | {g} | {max(bytes1m[n]):,} | {b10:,} |"
            if b10 != "-"
            else f"| {n} | {pd_} | {ip} | {g} | {max(bytes1m[n]):,} | - |"
        )
    print()
    print(
        "Seed sensitivity (own summaries, seed+1 gives a different result): "
        + ", ".join(f"{k_}={v}" for k_, v in other_seed.items())
        + "\n"
    )
    print(
        "Row-order invariance (same rows shuffled before partitioning, own summaries, "
        "identical result?): " + ", ".join(f"{k_}={v}" for k_, v in row_perm_same.items()) + "\n"
    )
    print(
        "Library's own a-priori rank error bound "
        "(get_normalized_rank_error(False), ~99% conf.): "
        + ", ".join(
            f"kll k={k_}: {ds.kll_doubles_sketch.get_normalized_rank_error(k_, False):.4f}"
            for k_ in (200, 2000)
        )
        + "\n"
    )
    print(
        "Distinct values per column (1M, 10M): "
        + ", ".join(f"{c}={'/'.join(f'{d:,}' for d in n_distinct[c])}" for c in COLUMNS)
        + "\n"
    )
    print(
        f"kll_d200 stat fingerprints of the P1 build in the 5 processes: {', '.join(kll_example)}\n"
    )

    print("## Accuracy\n")
    print(
        "max normalized rank error over the 7 quantiles "
        "(tie-aware: distance from p to [F(q-), F(q)] "
        "on the full data) / MAD relative error / max abs error of the two fence shares.  "
        "1M: worst over the 9 partitioning/order configs.  "
        "10M: 24 unequal partitions, shuffled merge.\n"
    )
    hdr = "| summary | N | " + " | ".join(COLUMNS) + " |"
    print(hdr)
    print("|---|---|" + "---|" * len(COLUMNS))
    for n in names:
        for lab, acc in (("1M", acc1m), ("10M", acc10m)):
            if not acc[n]:
                continue
            cells = []
            for c in COLUMNS:
                r, md, f = acc[n][c]
                cells.append(f"{r:.4f} / {md:.4f} / {f:.4f}")
            print(f"| {n} | {lab} | " + " | ".join(cells) + " |")
    print()

    if speed["kll_d200"]:
        print(
            f"## Speed (10M values, one core, best of {REPEATS}; machine shared with other jobs)\n"
        )
        print(
            "| summary | build 10M s (lognormal) | merge 24 ms (lognormal) "
            "| build 10M s (max over columns) | merge 24 ms (max) |"
        )
        print("|---|---|---|---|---|")
        for n in names:
            b, mg = speed[n]["lognormal"]
            bm = max(v[0] for v in speed[n].values())
            mm = max(v[1] for v in speed[n].values())
            print(f"| {n} | {b:.2f} | {1000 * mg:.1f} | {bm:.2f} | {1000 * mm:.1f} |")
        print()
        print(
            "pandas.util.hash_pandas_object ignores hash_key for numeric columns: "
            f"{pandas_hash_key_ignored_for_numbers()}\n"
        )
        print("| hashing 10M float64 | s |\n|---|---|")
        for k_, v in hash_timing.items():
            print(f"| {k_} | {v:.2f} |")
        print()

    print("## Example values (1M, P1 vs P24-shufTree)\n")
    print(
        "| column | stat | exact | kll_d200 P1 | kll_d200 P24 "
        "| bk_rowid P1 | bk_rowid P24 | bk_content P24 |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for col in COLUMNS:
        e = examples[col]
        for i in (0, 3, 6, 8, 9):
            print(
                f"| {col} | {STAT_NAMES[i]} | {e['exact'][i]:.6g} | {e['kll_d200']['P1'][i]:.6g} | "
                f"{e['kll_d200']['P24-shufTree'][i]:.6g} | {e['bk_rowid']['P1'][i]:.6g} | "
                f"{e['bk_rowid']['P24-shufTree'][i]:.6g} | "
                f"{e['bk_content']['P24-shufTree'][i]:.6g} |"
            )
    print()
    log("done")
    print(f"total runtime {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    if "--child" in sys.argv:
        print(json.dumps(child_fingerprints()))
    else:
        main(quick="--quick" in sys.argv)
