#!/usr/bin/env python3
"""The keep-the-rows peer of ProcessorThroughputBenchmark, the way MLWatcher works: buffer every row of a bucket
in memory, and when the bucket closes compute its statistics exactly with numpy.

It reads the rows the Java benchmark's records carry (features.npy: 1797 x 64 float32 digits pixels, as they are
or jittered, probabilities.npy: 1797 x 10 float32 softmax; written to DIR/pixels and DIR/jittered by
`java -cp benchmarks.jar io.infermon.benchmarks.processor.DigitsTraffic DIR`), cut into the same calls of 64 rows: stream row k is data row
k mod 1797. The calls are prepared before the clock starts (already decoded, which favours numpy: the Java peers
decode and check every wire record inside the timing).

Timed, per bucket: appending each call's two arrays to the bucket's buffer, then at close concatenating them and
computing what the processor reports (docs/metrics.md): per feature the NaN, infinite and zero counts, count, mean,
population std, min, max, quantiles q01 q05 q25 q50 q75 q95 q99 by the inclusive rule (numpy's
method="inverted_cdf"), and for integral columns the distinct count and the 20 most frequent values; for the
predictions the class counts (argmax), mean probability per class, and the same distribution statistics of pred1,
spread12 and entropy.

Prints rows/s per bucket size (median of the repeats) and, with --json, writes them for run-throughput.sh.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import numpy as np

BATCH_ROWS = 64
QUANTILES = [1, 5, 25, 50, 75, 95, 99]
TOP_VALUES = 20


def distribution(values):
    """count, mean, std, min, max and quantiles of the finite values of a 1-D array."""
    if not np.isfinite(values).all():
        values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    return (values.size, values.mean(dtype=np.float64), values.std(dtype=np.float64), values.min(), values.max(),
            np.percentile(values, QUANTILES, method="inverted_cdf"))


def feature_statistics(x):
    """Per column statistics of a rows x columns float32 matrix."""
    nan = np.isnan(x).sum(axis=0)
    inf = np.isinf(x).sum(axis=0)
    zero = (x == 0).sum(axis=0)
    if nan.any() or inf.any():
        columns = [distribution(x[:, j]) for j in range(x.shape[1])]
    else:  # all finite: one vectorised pass per statistic
        columns = list(zip([x.shape[0]] * x.shape[1], x.mean(axis=0, dtype=np.float64),
                           x.std(axis=0, dtype=np.float64), x.min(axis=0), x.max(axis=0),
                           np.percentile(x, QUANTILES, axis=0, method="inverted_cdf").T))
    finite = np.isfinite(x)
    integral = (np.where(finite, x == np.rint(x), True)).all(axis=0) & finite.any(axis=0)
    frequent = []
    for j in range(x.shape[1]):
        if not integral[j]:
            frequent.append(None)
            continue
        column = x[:, j]
        values, counts = np.unique(column[np.isfinite(column)], return_counts=True)
        order = np.lexsort((values, -counts))[:TOP_VALUES]  # by count descending, then value
        frequent.append((values.size, values[order], counts[order]))
    return nan, inf, zero, columns, frequent


def prediction_statistics(p):
    """Class counts, mean probabilities and the pred1, spread12 and entropy distributions of softmax rows."""
    p = p.astype(np.float64)  # the Java peers compute in double too
    p = p[np.isfinite(p).all(axis=1)]
    top2 = np.partition(p, -2, axis=1)
    pred1 = top2[:, -1]
    spread12 = pred1 - top2[:, -2]
    logs = np.log(p, out=np.zeros_like(p), where=p > 0)
    entropy = -(p * logs).sum(axis=1)
    counts = np.bincount(p.argmax(axis=1), minlength=p.shape[1])
    return counts, p.mean(axis=0), distribution(pred1), distribution(spread12), distribution(entropy)


def one_bucket(calls, n_calls):
    """Buffers n_calls calls, closes the bucket; returns (seconds buffering, seconds computing, report)."""
    start = time.perf_counter()
    feature_rows, probability_rows = [], []
    for i in range(n_calls):
        x, p = calls[i % len(calls)]
        feature_rows.append(x)
        probability_rows.append(p)
    buffered = time.perf_counter()
    x = np.concatenate(feature_rows)
    p = np.concatenate(probability_rows)
    del feature_rows, probability_rows
    report = (feature_statistics(x), prediction_statistics(p))
    done = time.perf_counter()
    return buffered - start, done - buffered, report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows-dir", required=True,
                        help="directory with features.npy and probabilities.npy (e.g. OUT/rows/pixels)")
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="bucket sizes in rows (multiples of 64)")
    parser.add_argument("--repeat", type=int, default=5, help="buckets timed per size (after one warm-up)")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()

    features = np.load(os.path.join(args.rows_dir, "features.npy"))
    probabilities = np.load(os.path.join(args.rows_dir, "probabilities.npy"))
    data_rows = features.shape[0]
    # every distinct call, as the Java benchmark pre-encodes them: call i carries stream rows 64i .. 64i+63
    calls = []
    for i in range(data_rows):
        index = (np.arange(BATCH_ROWS) + i * BATCH_ROWS) % data_rows
        calls.append((np.ascontiguousarray(features[index]), np.ascontiguousarray(probabilities[index])))

    results = []
    for rows in args.rows:
        n_calls = rows // BATCH_ROWS
        one_bucket(calls, n_calls)  # warm-up: page in, first-call costs
        runs = [one_bucket(calls, n_calls) for _ in range(args.repeat)]
        totals = [b + c for b, c, _ in runs]
        median = statistics.median(totals)
        (nan, inf, zero, columns, frequent), (counts, _, pred1, _, _) = runs[-1][2]
        result = {
            "rows": n_calls * BATCH_ROWS,
            "rows_per_s": n_calls * BATCH_ROWS / median,
            "seconds": totals,
            "buffer_seconds_median": statistics.median(b for b, _, _ in runs),
            "stats_seconds_median": statistics.median(c for _, c, _ in runs),
            "held_bytes": n_calls * BATCH_ROWS * (features.shape[1] + probabilities.shape[1]) * 4,
        }
        results.append(result)
        print(f"numpy bucket of {result['rows']:,} rows: {result['rows_per_s']:,.0f} rows/s "
              f"(median of {args.repeat}: {median:.3f} s = buffer {result['buffer_seconds_median']:.3f} s "
              f"+ statistics {result['stats_seconds_median']:.3f} s; rows held {result['held_bytes']:,} bytes)")
        distinct = "-" if frequent[36] is None else frequent[36][0]
        print(f"  check: feat_36 mean {columns[36][1]:.6f} q50 {columns[36][5][3]:g} distinct {distinct}; "
              f"pred1 mean {pred1[1]:.6f} q50 {pred1[5][3]:.6f}; class counts {counts.tolist()}")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"numpy {np.__version__}, python {sys.version.split()[0]} ({sys.executable}); "
          f"peak resident {peak_kib / 1024:,.0f} MiB")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"numpy": np.__version__, "python": sys.version.split()[0], "executable": sys.executable,
                       "peak_rss_bytes": peak_kib * 1024, "results": results}, out, indent=2)


if __name__ == "__main__":
    main()
