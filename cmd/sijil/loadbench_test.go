package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/certs/render"
)

// BenchmarkVerifyAPIAt1000RPS drives the verify API of a real `sijil serve`
// holding SIJIL_BENCH_CERTS issued certificates (default 100,000) at 1,000
// requests a second for 30 s from a second process (vegeta), and reports
// the latency percentiles and the server's peak memory. The budget: p99
// under 10 ms, under 200 MB resident. The issued certificates are cached
// in ~/.cache/sijil/bench, since issuing 100,000 takes a while. Run with
// `make bench-verify`.
func BenchmarkVerifyAPIAt1000RPS(b *testing.B) {
	n := envInt("SIJIL_BENCH_CERTS", 100_000)
	dir := seedCertificates(b, n)
	vegeta := findTool(b, "SIJIL_VEGETA", "vegeta")
	bin := buildSijil(b)

	port := loopbackPort(b)
	srv := exec.Command(bin, "serve", "--data", dir, "--addr", "127.0.0.1:"+port,
		"--verify-rate", "0")
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	waitHealthy(b, "http://127.0.0.1:"+port)

	targets := writeTargets(b, dir, "http://127.0.0.1:"+port)
	for b.Loop() {
		report := attack(b, vegeta, targets)
		b.ReportMetric(report.Latencies.P50/1e6, "ms-p50")
		b.ReportMetric(report.Latencies.P95/1e6, "ms-p95")
		b.ReportMetric(report.Latencies.P99/1e6, "ms-p99")
		b.ReportMetric(report.Success*100, "%-ok")
		b.ReportMetric(report.Throughput, "req/s")
	}
	b.ReportMetric(peakRSSMB(b, srv.Process.Pid), "MB-peak-rss")
	b.ReportMetric(float64(n), "certificates")
}

type vegetaReport struct {
	Latencies struct {
		P50 float64 `json:"50th"`
		P95 float64 `json:"95th"`
		P99 float64 `json:"99th"`
	} `json:"latencies"`
	Success    float64 `json:"success"`
	Throughput float64 `json:"throughput"`
}

func attack(b *testing.B, vegeta, targets string) vegetaReport {
	b.Helper()
	results := filepath.Join(b.TempDir(), "results.bin")
	run := exec.Command(vegeta, "attack", "-rate", "1000/s", "-duration", "30s",
		"-targets", targets, "-output", results, "-timeout", "5s")
	if out, err := run.CombinedOutput(); err != nil {
		b.Fatalf("vegeta attack: %v\n%s", err, out)
	}
	out, err := exec.Command(vegeta, "report", "-type", "json", results).Output()
	if err != nil {
		b.Fatalf("vegeta report: %v", err)
	}
	var r vegetaReport
	if err := json.Unmarshal(out, &r); err != nil {
		b.Fatalf("vegeta report: %v\n%s", err, out)
	}
	return r
}

// writeTargets lists verify API calls for up to 20,000 of the issued
// certificates, so that requests spread over the database.
func writeTargets(b *testing.B, dir, base string) string {
	b.Helper()
	a, err := openApp(context.Background(), dataPlace{dir: dir}, slog.Default(), false)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	rows, err := a.db.Query(`SELECT token FROM certificates ORDER BY id LIMIT 20000`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var buf bytes.Buffer
	for rows.Next() {
		var token string
		if err := rows.Scan(&token); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(&buf, "GET %s/api/v1/verify/%s\n\n", base, token)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "targets.txt")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

// seedCertificates returns a data folder holding n certificates issued
// through the real issuer, made once and kept in the user's cache.
func seedCertificates(b *testing.B, n int) string {
	b.Helper()
	home, _ := os.UserHomeDir()
	dir := filepath.Join(home, ".cache", "sijil", "bench", fmt.Sprintf("verify-%d", n))
	done := filepath.Join(dir, "complete")
	if _, err := os.Stat(done); err == nil {
		return dir
	}
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := openApp(ctx, dataPlace{dir: dir}, log, true)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()

	recordID := seedRecord(b, a)
	is, err := a.issuer("https://sijil.example.org")
	if err != nil {
		b.Fatal(err)
	}
	issueMany(b, is, recordID, n)
	if err := os.WriteFile(done, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

func seedRecord(b *testing.B, a *app) string {
	b.Helper()
	in, err := a.ingester()
	if err != nil {
		b.Fatal(err)
	}
	r, err := render.New("", "")
	if err != nil {
		b.Fatal(err)
	}
	scan, err := r.Sheet(demoPermit())
	if err != nil {
		b.Fatal(err)
	}
	rec, _, err := in.Ingest(context.Background(), bytes.NewReader(scan),
		archive.Metadata{Filename: "permit.pdf"})
	if err != nil {
		b.Fatal(err)
	}
	return rec.ID
}

// issueMany issues n building certificates with two workers, one a core.
func issueMany(b *testing.B, is *certs.Issuer, recordID string, n int) {
	b.Helper()
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		fail atomic.Value
	)
	start := time.Now()
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(n) && fail.Load() == nil; i = next.Add(1) {
				req := demoRequest(recordID)
				req.Plot = strconv.FormatInt(i, 10)
				if _, err := is.IssueBuilding(context.Background(), req); err != nil {
					fail.Store(err)
				}
				if i%5000 == 0 {
					fmt.Fprintf(os.Stderr, "seeded %d certificates in %s\n", i,
						time.Since(start).Round(time.Second))
				}
			}
		}()
	}
	wg.Wait()
	if err := fail.Load(); err != nil {
		b.Fatal(err)
	}
}

func findTool(b *testing.B, env, name string) string {
	b.Helper()
	if p := os.Getenv(env); p != "" {
		return p
	}
	home, _ := os.UserHomeDir()
	if p := filepath.Join(home, ".cache", "sijil", "bin", name); fileExists(p) {
		return p
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	b.Fatalf("%s is missing: run `make tools-bench`", name)
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func buildSijil(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "sijil")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func loopbackPort(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func waitHealthy(b *testing.B, base string) {
	b.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Fatal("sijil serve did not start")
}

// peakRSSMB reads the process's peak resident memory from /proc.
func peakRSSMB(b *testing.B, pid int) float64 {
	b.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
