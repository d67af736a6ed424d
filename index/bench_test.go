package index_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil/index"
)

// The benchmarks below time queries over synthetic archives of 100,000,
// 300,000 and 1,000,000 pages: the budget (#4) is a p95 under
// 50 ms at a million pages and growth under 2x from 100k. Each archive is
// built once and kept under ~/.cache/sijil/bench/index-VERSION-N,
// because a million pages take many minutes to index: bump benchVersion
// after changing the mapping or syntheticPage, so that no old cache is
// measured.
//
// Each query type reports its p50 and p95, the peak resident memory of
// the process while it ran (the peak is reset first, after the build's
// garbage is freed), and the index's size per page.

// benchVersion names the cache folder and is written in the marker of a
// finished build; a cached index with another marker is rebuilt.
const benchVersion = "v5"

func BenchmarkSearch100k(b *testing.B) { benchSearch(b, 100_000) }
func BenchmarkSearch300k(b *testing.B) { benchSearch(b, 300_000) }
func BenchmarkSearch1M(b *testing.B)   { benchSearch(b, 1_000_000) }

// benchQueries are the query types a clerk types, from the cheapest to
// the broadest.
var benchQueries = []struct {
	name   string
	q      string
	facets bool
	limit  int // hits shown with their snippets; 0 means 20
}{
	{"common word", "البلدية", false, 0},
	{"common word with facets", "البلدية", true, 0},
	{"function word", "في", false, 0},
	{"rare word", "الخطيب", false, 0},
	{"two words", "مدرسة الميدان", false, 0},
	{"phrase", `"رخصة بناء"`, false, 0},
	{"owner filter", "owner:" + benchFamilies[3], false, 0},
	{"fuzzy name", "الحلني", false, 0}, // الحلبي with one letter wrong
	{"word and year range", "مخالفة year:1995..1999", true, 0},
	{"type and parcel", "type:deed parcel:1234", false, 0},
	// The same query showing as many hits at a million pages as there
	// are at 100,000 (a parcel in 5,000 pages, a deed in 4: 5 and 50), so
	// that its growth is the index's and not that of the hits it shows.
	{"type and parcel, 5 hits", "type:deed parcel:1234", false, 5},
	{"variant spelling", "مُدَرِّسه احمد", false, 0},
	{"number", "٤٥١٧", false, 0},
	{"no match", "زرافة", false, 0},
	{"prefix", "بلد*", false, 0},
	{"wildcard", "م?مد", false, 0},
	{"leading wildcard", "*خطيب", false, 0},
	{"owner prefix", "owner:الحل*", false, 0},
}

// benchSearch times one Query (limit 20 unless the query type says, with
// snippets) per operation and reports its p50 and p95 for each type.
func benchSearch(b *testing.B, pages int) {
	ix, dir := openBenchIndex(b, pages)
	perPage := float64(dirSize(b, dir)) / float64(pages)
	for _, bq := range benchQueries {
		b.Run(bq.name, func(b *testing.B) {
			req := index.Request{Query: bq.q, Limit: cmp.Or(bq.limit, 20), Facets: bq.facets}
			resetPeakRSS(b)
			var times []time.Duration
			for b.Loop() {
				t0 := time.Now()
				if _, err := ix.Query(context.Background(), req); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(t0))
			}
			b.ReportMetric(percentile(times, 0.50), "p50-ms")
			b.ReportMetric(percentile(times, 0.95), "p95-ms")
			b.ReportMetric(peakRSS(b), "peak-rss-MB")
			b.ReportMetric(perPage, "index-B/page")
		})
	}
}

// resetPeakRSS frees what the process no longer uses (the build's
// garbage, an earlier query type's) and restarts the kernel's count of
// the peak resident memory, so that peakRSS measures the searches alone.
func resetPeakRSS(b *testing.B) {
	b.Helper()
	debug.FreeOSMemory()
	// Writing 5 to clear_refs resets VmHWM (Linux 4.0 and later).
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Fatalf("reset peak memory: %v", err)
	}
}

// peakRSS is the process's peak resident memory in MB since the last
// resetPeakRSS, from VmHWM in /proc/self/status.
func peakRSS(b *testing.B) float64 {
	b.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				b.Fatalf("VmHWM %q: %v", rest, err)
			}
			return float64(kb) / 1024
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// openBenchIndex opens the cached archive of n pages, building it first
// when the cache has none or only a half-built one, and returns it with
// its folder.
func openBenchIndex(b *testing.B, n int) (*index.Index, string) {
	b.Helper()
	home, err := os.UserHomeDir()
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(home, ".cache", "sijil", "bench",
		"index-"+benchVersion+"-"+strconv.Itoa(n))
	done := dir + ".done"

	notes, err := os.ReadFile(done)
	if err == nil && strings.HasPrefix(string(notes), benchVersion+" ") {
		b.Logf("cached index of %d pages: %s", n, notes)
		return openIndexAt(b, dir), dir
	}
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}

	ix := openIndexAt(b, dir)
	built := buildBenchIndex(b, ix, dir, n)
	if err := os.WriteFile(done, []byte(built), 0o600); err != nil {
		b.Fatal(err)
	}
	b.Logf("built index of %d pages: %s", n, built)
	return ix, dir
}

// buildBenchIndex adds n synthetic pages in batches and says how long it
// took and how big the index is.
func buildBenchIndex(b *testing.B, ix *index.Index, dir string, n int) string {
	start := time.Now()
	const batch = 2000
	for i := 0; i < n; i += batch {
		pages := make([]index.Page, min(batch, n-i))
		for j := range pages {
			pages[j] = syntheticPage(i + j)
		}
		if err := ix.AddAll(context.Background(), pages); err != nil {
			b.Fatal(err)
		}
	}
	took := time.Since(start)

	size := dirSize(b, dir)
	return fmt.Sprintf(benchVersion+" build %s (%.0f pages/s), %d MB, %d bytes/page",
		took.Round(time.Second), float64(n)/took.Seconds(), size>>20, size/int64(n))
}

func dirSize(b *testing.B, dir string) int64 {
	var size int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // a segment merged away while walking
		}
		size += info.Size()
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return size
}

func percentile(times []time.Duration, p float64) float64 {
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	return float64(times[int(float64(len(times)-1)*p)]) / float64(time.Millisecond)
}

// benchWords is a municipal vocabulary, function words first; rand.Zipf
// picks from it, so the function words and a few others are on nearly
// every page and most words are rare, as in real registers.
var benchWords = strings.Fields(`
في من على إلى و أن عن التي الذي هذا مع بعد قد كان
البلدية رخصة بناء مبنى طابق مساحة متر مربع المالك العقار رقم حي الميدان
شارع المدينة سجل دائرة المساحة قطعة منطقة عقارية محضر لجنة قرار مجلس
السيد أحمد محمد علي حسن إبراهيم خالد عمر يوسف مصطفى الخطيب الحلبي الشامي
مدرسة مستشفى جامع سوق محل حرفة نجار حداد خياط صائغ فرن مطعم صيدلية
تاريخ سنة شهر يوم الموافق بموجب استنادا الطلب المقدم بتاريخ حيث
تبين الموقع يقع ضمن المخطط التنظيمي وقد تم الكشف الطبيعة قبل
المهندس المختص وتقرر منح الرخصة وفق الشروط النظامية والأنظمة النافذة
الطابق الأرضي الأول الثاني الثالث سكني تجاري صناعي مخالفة تسوية إزالة
`)

// Names and places for the structured fields: 30 first names by 30
// family names make 900 owners, each on about a thousandth of the pages.
var (
	benchFirsts = strings.Fields(`أحمد محمد علي حسن إبراهيم خالد عمر يوسف مصطفى
		سليمان عبدالله عبدالرحمن فاطمة عائشة مريم زينب خديجة سعاد نجيب رضوان
		ياسين حمزة طارق وليد سامر باسل ماهر نزار جميل كريم`)
	benchFamilies = strings.Fields(`الخطيب الحلبي الشامي العلي الحسن السيد
		النجار الحداد الخياط الصائغ المصري البغدادي القباني الدباغ العطار
		الحموي الإدلبي الحمصي الدمشقي الكردي التركماني الأيوبي الزعبي
		الشهابي المحمد الأحمد الرفاعي الجابري الكيالي الطويل`)
	benchNeighbourhoods = strings.Fields(`الميدان الشعار الصاخور السكري
		الفردوس الكلاسة بستان_القصر الجميلية العزيزية السليمانية`)
	benchTypes = []string{"building_permit", "craft_licence", "deed", "other"}
)

// syntheticPage is page i of the synthetic archive: 150 words with a
// number every 25, and the structured fields the manifest gives.
func syntheticPage(i int) index.Page {
	r := rand.New(rand.NewPCG(uint64(i), 1))
	zipf := rand.NewZipf(r, 1.1, 1, uint64(len(benchWords)-1))

	var text strings.Builder
	for w := range 150 {
		if w%25 == 24 {
			text.WriteString(strconv.Itoa(r.IntN(10_000)) + " ")
			continue
		}
		text.WriteString(benchWords[zipf.Uint64()] + " ")
	}
	owner := benchFirsts[r.IntN(len(benchFirsts))] + " " +
		benchFamilies[r.IntN(len(benchFamilies))]
	return index.Page{
		RecordID:      "rec-" + strconv.Itoa(i/4),
		Number:        i%4 + 1,
		Text:          text.String(),
		RecordType:    benchTypes[r.IntN(len(benchTypes))],
		Reference:     strconv.Itoa(i) + "/ب",
		Names:         []string{owner},
		Parcel:        strconv.Itoa(r.IntN(5000)),
		Plot:          strconv.Itoa(r.IntN(200)),
		Neighbourhood: strings.ReplaceAll(benchNeighbourhoods[r.IntN(10)], "_", " "),
		Year:          1950 + r.IntN(76),
	}
}

// TestSyntheticPageIsSearchable keeps the benchmark honest: its pages must
// be found by the words they contain.
func TestSyntheticPageIsSearchable(t *testing.T) {
	ix := openIndex(t)
	p := syntheticPage(7)
	mustAdd(t, ix, p)

	word := strings.Fields(p.Text)[3]
	if hits, _ := mustSearch(t, ix, word, 5); len(hits) != 1 {
		t.Errorf("Search(%q) found %d pages, want 1", word, len(hits))
	}
}
