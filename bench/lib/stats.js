'use strict';
// Small statistics helpers. Latencies are kept as raw samples (a few MB at
// most for a 10 s run) so that p99 is exact rather than bucketed.

/** Collects latency samples in microseconds; bounded so a runaway run cannot eat memory. */
class LatencyRecorder {
  constructor(maxSamples = 5_000_000) {
    this.samples = new Float64Array(1024);
    this.count = 0;
    this.maxSamples = maxSamples;
  }

  /** Records the time since `sentAt` (a process.hrtime.bigint() value). */
  since(sentAt) {
    this.add(Number(process.hrtime.bigint() - sentAt) / 1000);
  }

  add(micros) {
    if (this.count === this.samples.length) {
      if (this.count >= this.maxSamples) return;
      const grown = new Float64Array(Math.min(this.samples.length * 2, this.maxSamples));
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.count++] = micros;
  }

  reset() {
    this.count = 0;
  }

  /** p50, p99, mean and max in microseconds (null when nothing was recorded). */
  summary() {
    if (this.count === 0) return { count: 0, p50: null, p99: null, mean: null, max: null };
    const sorted = this.samples.slice(0, this.count).sort();
    let sum = 0;
    for (let i = 0; i < sorted.length; i++) sum += sorted[i];
    return {
      count: sorted.length,
      p50: percentileOfSorted(sorted, 0.5),
      p99: percentileOfSorted(sorted, 0.99),
      mean: sum / sorted.length,
      max: sorted[sorted.length - 1],
    };
  }
}

/** Nearest-rank percentile of an ascending array. */
function percentileOfSorted(sorted, fraction) {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank];
}

/** Median of plain numbers, ignoring null/undefined/NaN; null when none. */
function median(values) {
  const clean = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (clean.length === 0) return null;
  const mid = clean.length >> 1;
  return clean.length % 2 ? clean[mid] : (clean[mid - 1] + clean[mid]) / 2;
}

/** { median, min, max, n } of the finite numbers in `values`. */
function spread(values) {
  const clean = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  if (clean.length === 0) return { median: null, min: null, max: null, n: 0 };
  return { median: median(clean), min: Math.min(...clean), max: Math.max(...clean), n: clean.length };
}

module.exports = { LatencyRecorder, median, spread, percentileOfSorted };
