package requests_test

import (
	"testing"

	"github.com/sijil-municipality/sijil/internal/pgtest"
)

// TestPostgres runs the tests again on PostgreSQL, the production
// database, where raced approvals really run at once.
func TestPostgres(t *testing.T) {
	pgtest.Rerun(t, TestEveryTransition, TestStepsNeedTheirRole, TestTwoPersonRule,
		TestApprovalIssuesOnce, TestCitizenDownloadsTheCertificate, TestOwnershipIsNotFound,
		TestTimelineShowsTheCitizenRolesOnly, TestStaffViewsAndDecisionsAreAudited,
		TestReferenceNumbers, TestTicketLifecycle, TestQueueAndDashboard)
}
