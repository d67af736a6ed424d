package subscriptions_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts/accountstest"
	"github.com/sijil-municipality/sijil/subscriptions"
)

// benchRows is a city's billing snapshot: about three accounts for each
// of a third of a million households and shops. $SIJIL_BENCH_ROWS sets
// another size, for a quick comparison.
var benchRows = 1_000_000

func init() {
	if n, err := strconv.Atoi(os.Getenv("SIJIL_BENCH_ROWS")); err == nil && n > 0 {
		benchRows = n
	}
}

// BenchmarkImportSubscriptions imports a million-row snapshot into SQLite,
// as 'sijil import subscriptions' does on the embedded default, over a
// snapshot of the same size (so the old rows are deleted in the same
// transaction), then looks up citizens. It reports rows/s, the peak
// resident memory of the process and the time of one citizen's lookup.
//
//	go test -run '^$' -bench ImportSubscriptions -benchtime 1x ./subscriptions/
func BenchmarkImportSubscriptions(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "snapshot.csv")
	citizens := writeSnapshot(b, path, benchRows)
	s := openBenchStore(b, filepath.Join(dir, "sijil.db"))
	importFile(b, s, path) // the snapshot a real import replaces

	b.ResetTimer()
	start := time.Now()
	for range b.N {
		importFile(b, s, path)
	}
	elapsed := time.Since(start)
	b.StopTimer()

	const lookups = 1000
	lookStart := time.Now()
	for i := range lookups {
		accs, err := s.ByNationalID(context.Background(),
			accountstest.NationalID(i*citizens/lookups))
		if err != nil || len(accs) == 0 {
			b.Fatalf("lookup %d: %d accounts, %v", i, len(accs), err)
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(peakRSSMiB(b), "peak-RSS-MiB")
	b.ReportMetric(float64(time.Since(lookStart).Microseconds())/lookups, "µs/lookup")
}

// writeSnapshot writes n rows for n/3 citizens and returns how many
// citizens it named.
func writeSnapshot(b *testing.B, path string, n int) int {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(strings.Join(subscriptions.Columns, ",") + "\n")
	citizens := n / 3
	for i := range n {
		service := subscriptions.Services[i%len(subscriptions.Services)]
		fmt.Fprintf(w, "%s,A-%07d,%s,\"Hay al-Zaytoun %d, building %d\",active,%d.%02d,"+
			"2026-10-%02d,%d.50\n", accountstest.NationalID(i%citizens), i, service, i%500,
			i%97, i%20000, i%100, 1+i%28, i%900)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return citizens
}

func openBenchStore(b *testing.B, path string) *subscriptions.Store {
	// The app's pragmas, so the figure is the command's.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := subscriptions.Migrate(context.Background(), db, sijil.DialectSQLite); err != nil {
		b.Fatal(err)
	}
	s, err := subscriptions.New(subscriptions.Config{DB: db, Secret: secret})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func importFile(b *testing.B, s *subscriptions.Store, path string) {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sn, err := s.Import(context.Background(), f, "bench")
	if err != nil {
		b.Fatal(err)
	}
	if sn.Rows != benchRows {
		b.Fatalf("imported %d rows, want %d", sn.Rows, benchRows)
	}
}

// peakRSSMiB reads the process's peak resident set (VmHWM) from Linux.
func peakRSSMiB(b *testing.B) float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(
				strings.TrimSpace(rest), "kB")))
			if err != nil {
				b.Fatal(err)
			}
			return float64(kb) / 1024
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}
