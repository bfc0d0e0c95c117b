"""Numeric column statistics: mergeable moments, quantile-based measures and normality
tests, from which `advisor.profiling.profile` builds a `FeatureProfile`.

Two kinds of input feed the same formulas:

* exact moments (counts, min, max, central moment sums) -- computed in one pass over the
  whole column, or merged exactly from chunks (`Moments.merge`, Pébay 2008);
* a sorted array of values for order statistics -- the whole column on the in-memory path
  (exact), or a seeded uniform row sample on the streaming path (sketched).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np

#: (q99 - q01) / IQR of a normal distribution: 2 * 2.3263 / 1.3490.
NORMAL_TAIL_RATIO = 2.0 * 2.326347874 / 1.348979500
#: MAD of a normal distribution in units of its standard deviation (1 / 1.4826).
MAD_TO_SD = 1.482602218505602
ROBUST_Z_LIMIT = 3.5  # Iglewicz and Hoaglin's modified z-score cut-off


_SCRATCH = threading.local()


def scratch(name: str, n: int) -> np.ndarray:
    """A per-thread float64 buffer of length ``n`` (reused between calls)."""
    buffers = _SCRATCH.__dict__
    buffer = buffers.get(name)
    if buffer is None or buffer.size < n:
        buffer = np.empty(max(n, 1024), dtype=np.float64)
        buffers[name] = buffer
    return buffer[:n]


def fast_log1p(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``log1p(x)`` for x >= 0, about 2.5x faster than ``np.log1p`` (whose loop is not
    vectorized): ``log(1 + x)`` where that is accurate to ~1e-12 relative, the true
    ``log1p`` below 1e-4, where adding 1 would round away x's digits."""
    out = np.add(x, 1.0, out=out)
    np.log(out, out=out)
    small = x < 1e-4
    small &= x != 0.0  # log(1 + 0) is exact; zero-heavy columns skip the slow path
    if small.any():
        np.log1p(x, out=out, where=small)
    return out


#: Columns with at most one distinct value in this many take their moments from the
#: distinct values and their counts.
RUNS_SHARE = 4


def column_moments(
    x: np.ndarray,
    ordered: np.ndarray,
    changes: np.ndarray,
    distinct: int,
    scale: float,
    with_log: bool,
) -> tuple[Moments, Moments | None]:
    """The moments of a column's finite values ``x`` (``ordered``: sorted; ``changes``:
    where consecutive sorted values differ, as a bool array; ``distinct``: how many
    differ), and of ``log1p`` of them if ``with_log``.
    Columns of few distinct values (counts, codes, pixels, flags) take them from each
    distinct value once, weighted by its count."""
    n = ordered.size
    if distinct * RUNS_SHARE <= n:
        starts = np.flatnonzero(np.concatenate(([True], changes)))
        runs, counts = ordered[starts], np.diff(np.append(starts, n))
        logs = Moments.of_runs(fast_log1p(runs), counts) if with_log else None
        return Moments.of_runs(runs, counts, scale), logs
    logs = Moments.of(fast_log1p(x, out=scratch("log", n))) if with_log else None
    return Moments.of(x, scale), logs


@dataclass(frozen=True)
class Moments:
    """Count, mean and central moment sums M2..M4 of the finite values, mergeable exactly.

    Values are divided by ``scale`` (a power of two, so exactly) before the sums, which
    keeps the fourth powers of values near 1e308 finite.
    """

    n: int
    mean: float
    m2: float
    m3: float
    m4: float
    scale: float = 1.0

    @staticmethod
    def of(values: np.ndarray, scale: float = 1.0) -> Moments:
        if values.size == 0:
            return Moments(0, 0.0, 0.0, 0.0, 0.0, scale)
        n = values.size
        x = np.divide(values, scale, out=scratch("x", n)) if scale != 1.0 else values
        mean = float(np.mean(x))
        # Reused per-thread buffers: fresh 8 MB arrays cost more in page faults than the
        # arithmetic; dot products avoid temporaries for the third and fourth powers.
        d = np.subtract(x, mean, out=scratch("d", n))
        d2 = np.multiply(d, d, out=scratch("d2", n))
        return Moments(
            int(n), mean, float(np.sum(d2)), float(np.dot(d2, d)), float(np.dot(d2, d2)), scale
        )

    @staticmethod
    def of_runs(values: np.ndarray, counts: np.ndarray, scale: float = 1.0) -> Moments:
        """`of` a column given as its distinct ``values`` and how often each occurs: the
        same sums in another order (equal to ~1e-15 relative), a fraction of the work on
        columns of few distinct values (counts, codes, pixels, flags)."""
        if values.size == 0:
            return Moments(0, 0.0, 0.0, 0.0, 0.0, scale)
        w = counts.astype(np.float64)
        n = int(counts.sum())
        x = values / scale if scale != 1.0 else values
        mean = float(np.dot(w, x) / n)
        d = x - mean
        wd2 = w * d * d
        return Moments(
            n, mean, float(wd2.sum()), float(np.dot(wd2, d)), float(np.dot(wd2, d * d)), scale
        )

    def rescaled(self, scale: float) -> Moments:
        if scale == self.scale:
            return self
        r = self.scale / scale
        return Moments(self.n, self.mean * r, self.m2 * r**2, self.m3 * r**3, self.m4 * r**4, scale)

    def merge(self, other: Moments) -> Moments:
        """Combine two disjoint parts (Pébay, 2008, eqs. 2.1-2.4)."""
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        scale = max(self.scale, other.scale)
        a, b = self.rescaled(scale), other.rescaled(scale)
        n = a.n + b.n
        delta = b.mean - a.mean
        dn = delta / n
        na_nb = a.n * b.n
        mean = a.mean + b.n * dn
        m2 = a.m2 + b.m2 + delta * dn * na_nb
        m3 = (
            a.m3
            + b.m3
            + delta * dn * dn * na_nb * (a.n - b.n)
            + 3.0 * dn * (a.n * b.m2 - b.n * a.m2)
        )
        m4 = (
            a.m4
            + b.m4
            + delta * dn * dn * dn * na_nb * (a.n * a.n - na_nb + b.n * b.n)
            + 6.0 * dn * dn * (a.n * a.n * b.m2 + b.n * b.n * a.m2)
            + 4.0 * dn * (a.n * b.m3 - b.n * a.m3)
        )
        return Moments(n, mean, m2, m3, m4, scale)

    @property
    def mean_value(self) -> float:
        return self.mean * self.scale

    @property
    def std(self) -> float | None:
        """Sample standard deviation (ddof=1)."""
        if self.n < 2:
            return 0.0 if self.n == 1 else None
        return _finite(math.sqrt(max(self.m2, 0.0) / (self.n - 1)) * self.scale)

    @property
    def skew(self) -> float | None:
        """Bias-corrected skewness G1 (scipy.stats.skew(bias=False))."""
        n = self.n
        if n < 3 or self.m2 <= 0:
            return None
        denom = (self.m2 / n) ** 1.5
        if denom <= 0.0:  # variance underflows (values around 1e-120): undefined
            return None
        g1 = (self.m3 / n) / denom
        return _finite(g1 * math.sqrt(n * (n - 1)) / (n - 2))

    @property
    def kurtosis(self) -> float | None:
        """Bias-corrected excess kurtosis G2 (scipy.stats.kurtosis(bias=False))."""
        n = self.n
        if n < 4 or self.m2 <= 0:
            return None
        denom = (self.m2 / n) ** 2
        if denom <= 0.0:
            return None
        g2 = (self.m4 / n) / denom - 3.0
        return _finite(((n + 1) * g2 + 6.0) * (n - 1) / ((n - 2) * (n - 3)))

    def population_skew_kurt(self) -> tuple[float, float] | None:
        """Biased g1 and b2 (Pearson kurtosis), as D'Agostino's tests use them."""
        n = self.n
        if n < 8 or self.m2 <= 0:
            return None
        if (self.m2 / n) ** 2 <= 0.0:
            return None
        b2 = (self.m4 / n) / (self.m2 / n) ** 2
        g1 = (self.m3 / n) / (self.m2 / n) ** 1.5
        if not (math.isfinite(b2) and math.isfinite(g1)):
            return None
        return g1, b2


def power_of_two_scale(max_abs: float) -> float:
    """A power of two near ``max_abs`` (1.0 for ordinary data), so dividing is exact."""
    if not math.isfinite(max_abs) or max_abs < 1e50:
        return 1.0
    _, exponent = math.frexp(max_abs)  # max_abs = m * 2**exponent, 0.5 <= m < 1
    return math.ldexp(1.0, exponent - 1)


def dagostino_pearson(m: Moments) -> tuple[float, float] | None:
    """D'Agostino-Pearson K² from the moments: scipy.stats.normaltest's formulas
    (skewtest + kurtosistest), computed without the data. Needs n >= 8 (scipy's limit)."""
    sk = m.population_skew_kurt()
    if sk is None:
        return None
    g1, b2 = sk
    n = float(m.n)
    # skewtest
    y = g1 * math.sqrt(((n + 1) * (n + 3)) / (6.0 * (n - 2)))
    beta2 = (
        3.0 * (n * n + 27 * n - 70) * (n + 1) * (n + 3) / ((n - 2.0) * (n + 5) * (n + 7) * (n + 9))
    )
    w2 = -1 + math.sqrt(2 * (beta2 - 1))
    delta = 1 / math.sqrt(0.5 * math.log(w2))
    alpha = math.sqrt(2.0 / (w2 - 1))
    y = y if y != 0 else 1.0
    z_skew = delta * math.log(y / alpha + math.sqrt((y / alpha) ** 2 + 1))
    # kurtosistest
    e = 3.0 * (n - 1) / (n + 1)
    var_b2 = 24.0 * n * (n - 2) * (n - 3) / ((n + 1) * (n + 1.0) * (n + 3) * (n + 5))
    x = (b2 - e) / math.sqrt(var_b2)
    sqrt_beta1 = (
        6.0
        * (n * n - 5 * n + 2)
        / ((n + 7) * (n + 9))
        * math.sqrt((6.0 * (n + 3) * (n + 5)) / (n * (n - 2) * (n - 3)))
    )
    a = 6.0 + 8.0 / sqrt_beta1 * (2.0 / sqrt_beta1 + math.sqrt(1 + 4.0 / (sqrt_beta1**2)))
    term1 = 1 - 2 / (9.0 * a)
    denom = 1 + x * math.sqrt(2 / (a - 4.0))
    term2 = np.sign(denom) * np.where(
        denom == 0.0, np.nan, np.power((1 - 2.0 / a) / np.abs(denom), 1 / 3.0)
    )
    z_kurt = float((term1 - term2) / math.sqrt(2 / (9.0 * a)))
    k2 = z_skew * z_skew + z_kurt * z_kurt
    if not math.isfinite(k2):
        return None
    return k2, math.exp(-k2 / 2.0)  # the chi-square(2) survival function, exactly


def anderson_darling(sample: np.ndarray) -> tuple[float, float] | None:
    """Anderson-Darling A² for normality with estimated mean and variance, and its p-value
    from D'Agostino and Stephens (1986, table 4.9) for the adjusted A*² = A²(1 + .75/n +
    2.25/n²). ``sample`` must be sorted; at least 8 values."""
    n = sample.size
    if n < 8:
        return None
    sd = float(np.std(sample, ddof=1))
    if sd <= 0 or not math.isfinite(sd):
        return None
    from scipy import special  # lazily: scipy costs ~0.2 s to import

    z = (sample - float(np.mean(sample))) / sd
    log_cdf = special.log_ndtr(z)
    log_sf = special.log_ndtr(-z[::-1])
    i = np.arange(1, n + 1)
    a2 = float(-n - np.sum((2 * i - 1) / n * (log_cdf + log_sf)))
    adj = a2 * (1 + 0.75 / n + 2.25 / (n * n))
    if adj >= 153.467:  # the fitted curve turns upwards beyond here; p is 0 in practice
        p = 0.0
    elif adj >= 0.6:
        p = math.exp(1.2937 - 5.709 * adj + 0.0186 * adj * adj)
    elif adj >= 0.34:
        p = math.exp(0.9177 - 4.279 * adj - 1.38 * adj * adj)
    elif adj > 0.2:
        p = 1 - math.exp(-8.318 + 42.796 * adj - 59.938 * adj * adj)
    else:
        p = 1 - math.exp(-13.436 + 101.14 * adj - 223.73 * adj * adj)
    return a2, min(max(p, 0.0), 1.0)


def shapiro_wilk(sample: np.ndarray) -> tuple[float, float] | None:
    """scipy.stats.shapiro, valid for 3 <= n <= 5000."""
    if not 8 <= sample.size <= 5000 or np.ptp(sample) == 0:
        return None
    from scipy import stats  # lazily: scipy.stats costs ~0.7 s to import

    result = stats.shapiro(sample)
    return float(result.statistic), float(result.pvalue)


def quantiles(sorted_values: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """Linear-interpolation quantiles (numpy's default) of an already sorted array."""
    n = sorted_values.size
    out = []
    for q in qs:
        pos = q * (n - 1)
        lo = math.floor(pos)
        hi = min(lo + 1, n - 1)
        frac = pos - lo
        lo_v, hi_v = float(sorted_values[lo]), float(sorted_values[hi])
        out.append(lo_v + (hi_v - lo_v) * frac if frac else lo_v)
    return out


def share_outside(sorted_values: np.ndarray, low: float, high: float) -> float:
    """Share of values strictly below ``low`` or strictly above ``high``."""
    n = sorted_values.size
    below = int(np.searchsorted(sorted_values, low, side="left"))
    above = n - int(np.searchsorted(sorted_values, high, side="right"))
    return (below + above) / n


def median_absolute_deviation(ordered: np.ndarray, median: float) -> float:
    """Median of |x - median| for a *sorted* array, in O(log n) without a pass.

    The deviations below the median, read backwards, and those above it, read forwards,
    are two sorted sequences; the median of their union is found by bisection on how many
    of the smallest deviations come from the lower side."""
    n = ordered.size
    if n == 0:
        return math.nan
    split = int(np.searchsorted(ordered, median, side="left"))
    below = split  # deviations median - ordered[split-1], median - ordered[split-2], ...
    above = n - split  # deviations ordered[split] - median, ...

    def lower(i: int) -> float:  # i-th smallest deviation among the lower side
        return float(median - ordered[split - 1 - i])

    def upper(i: int) -> float:
        return float(ordered[split + i] - median)

    def kth(k: int) -> float:  # k-th smallest (0-based) deviation of the union
        lo, hi = max(0, k + 1 - above), min(k + 1, below)
        while lo < hi:  # take `lo` from below and k + 1 - lo from above
            take = (lo + hi) // 2
            if (
                take < below
                and k - take >= 0
                and k - take < above
                and lower(take) < upper(k - take)
            ):
                lo = take + 1
            else:
                hi = take
        candidates = []
        if lo > 0:
            candidates.append(lower(lo - 1))
        if k + 1 - lo > 0:
            candidates.append(upper(k - lo))
        return max(candidates)

    if n % 2:
        return kth(n // 2)
    return (kth(n // 2 - 1) + kth(n // 2)) / 2.0


def bimodality_coefficient(skew: float | None, kurt: float | None, n: int) -> float | None:
    """Sarle's bimodality coefficient (G1² + 1) / (G2 + 3(n-1)²/((n-2)(n-3))); values
    above 5/9 (a uniform distribution's) suggest two or more modes."""
    if skew is None or kurt is None or n < 4:
        return None
    denom = kurt + 3.0 * (n - 1) ** 2 / ((n - 2) * (n - 3))
    return _finite((skew * skew + 1.0) / denom) if denom > 0 else None


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None
