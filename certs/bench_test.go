package certs_test

import (
	"slices"
	"testing"
	"time"
)

// benchLatency runs op b.N times and reports its median and 95th
// percentile, since the issuance budget is a median, not a mean.
func benchLatency(b *testing.B, op func() error) {
	b.Helper()
	b.ReportAllocs()
	times := make([]time.Duration, 0, b.N)
	for b.Loop() {
		start := time.Now()
		if err := op(); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	ms := func(q float64) float64 {
		return float64(times[int(q*float64(len(times)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(ms(0.5), "ms-median")
	b.ReportMetric(ms(0.95), "ms-p95")
}
