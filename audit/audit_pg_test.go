package audit_test

import (
	"testing"

	"github.com/sijil-municipality/sijil/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestPostgres runs the trail's tests again on PostgreSQL, the production
// database, where appenders really run at once: openDB gives every test
// under this one a fresh PostgreSQL database.
func TestPostgres(t *testing.T) {
	pgtest.Rerun(t, TestFindFiltersAndPagesNewestFirst, TestFindRefusesBadPagesAndRanges,
		TestAppendRefusesMalformedEvents, TestAppendCommitsWithTheCallersTransaction,
		TestConcurrentAppendsKeepOneChain)
}
