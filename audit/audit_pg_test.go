package audit_test

import (
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestPostgres runs the trail's tests again on PostgreSQL, the production
// database, where appenders really run at once: openDB gives every test
// under this one a fresh PostgreSQL database.
func TestPostgres(t *testing.T) {
	for _, tt := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"FindFiltersAndPagesNewestFirst", TestFindFiltersAndPagesNewestFirst},
		{"FindRefusesBadPagesAndRanges", TestFindRefusesBadPagesAndRanges},
		{"AppendRefusesMalformedEvents", TestAppendRefusesMalformedEvents},
		{"AppendCommitsWithTheCallersTransaction", TestAppendCommitsWithTheCallersTransaction},
		{"ConcurrentAppendsKeepOneChain", TestConcurrentAppendsKeepOneChain},
	} {
		t.Run(tt.name, tt.run)
	}
}

// onPostgres tells openDB which database a test runs on.
func onPostgres(t *testing.T) bool {
	return strings.HasPrefix(t.Name(), "TestPostgres/")
}
