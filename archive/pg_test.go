package archive_test

import (
	"testing"

	"github.com/sijil-municipality/sijil/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestPostgres runs the tests of records, their fields, duplicates,
// corrections, events and bulk jobs again on PostgreSQL, the production
// database: openDB gives each a fresh PostgreSQL database.
func TestPostgres(t *testing.T) {
	pgtest.Rerun(t,
		TestStoreNotFound,
		TestIngestKeepsStructuredFields,
		TestIngestRefusesBadFields,
		TestDuplicatesAreFlaggedNotDropped,
		TestCorrectionClosesMootFlags,
		TestUpdateKeepsHistoryAndReindexes,
		TestUpdateRefusesBadValues,
		TestEditPageText,
		TestRestrictedViewsAndExportsAreEvents,
		TestConcurrentSameReferenceFlaggedOnce,
		TestConcurrentUpdatesChainTheirHistory,
		TestBulkImport,
		TestBulkRestrictedColumn,
		TestFixityCleanArchivePasses,
		TestReindexFindsPagesOfADeletedIndex,
		TestMigrationMovesManifestFieldsOntoRecords,
	)
}
