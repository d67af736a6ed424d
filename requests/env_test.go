package requests_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/audit"
	"github.com/sijil-municipality/sijil/internal/pgtest"
	"github.com/sijil-municipality/sijil/requests"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// env is a service on a fresh database, with the issuer and notifier the
// tests look into.
type env struct {
	svc     *requests.Service
	db      *sql.DB
	blobs   *archive.FolderBlobs
	issuer  *keyedIssuer
	notices *notices
	now     time.Time
}

// newEnv opens a migrated database (PostgreSQL under TestPostgres, else a
// SQLite file with the pragmas the app uses) and a service on it.
func newEnv(t *testing.T) *env { return newEnvTB(t) }

// newEnvTB is newEnv for tests and benchmarks.
func newEnvTB(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	var db *sql.DB
	dialect := sijil.DialectSQLite
	if pgtest.Requested(t) {
		db, dialect = pgtest.Open(t), sijil.DialectPostgres
	} else {
		dsn := "file:" + filepath.Join(t.TempDir(), "sijil.db") +
			"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate"
		var err error
		if db, err = sql.Open("sqlite", dsn); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
	}
	if err := audit.Migrate(ctx, db, dialect); err != nil {
		t.Fatal(err)
	}
	if err := requests.Migrate(ctx, db, dialect); err != nil {
		t.Fatal(err)
	}
	blobs, err := archive.NewFolderBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}

	e := &env{db: db, blobs: blobs, notices: &notices{},
		now: time.Now().UTC().Truncate(time.Second)}
	e.issuer = &keyedIssuer{blobs: blobs, byKey: map[string]requests.Certificate{}}
	e.svc, err = requests.New(requests.Config{DB: db, Blobs: blobs, Issuer: e.issuer,
		Notifier: e.notices, Now: func() time.Time { return e.now },
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// keyedIssuer keeps the Issuer contract the way the certs adapter must: at
// most one certificate per key. failAfterIssue makes the next call issue
// and then fail, as a crash between issuing and answering would; refuse
// makes the next call refuse the draft.
type keyedIssuer struct {
	mu             sync.Mutex
	blobs          *archive.FolderBlobs
	byKey          map[string]requests.Certificate
	issued         int // certificates actually made
	failAfterIssue bool
	refuse         bool
	lastRecords    []string
}

func (is *keyedIssuer) issue(ctx context.Context, key string,
	records []string) (requests.Certificate, error) {
	is.mu.Lock()
	defer is.mu.Unlock()
	if is.refuse {
		is.refuse = false
		return requests.Certificate{}, sijil.Errorf(sijil.Invalid, "certs.unknown_record",
			"record %q is not in the archive", records[0])
	}
	c, ok := is.byKey[key]
	if !ok {
		is.issued++
		id := fmt.Sprintf("CERT-%04d", is.issued)
		c = requests.Certificate{ID: id, PDFKey: "certificates/" + id + ".pdf"}
		pdf := "%PDF-1.7\n% certificate " + id + "\n%%EOF\n"
		if err := is.blobs.Put(ctx, c.PDFKey, strings.NewReader(pdf), int64(len(pdf)),
			"application/pdf"); err != nil {
			return requests.Certificate{}, err
		}
		is.byKey[key] = c
		is.lastRecords = records
	}
	if is.failAfterIssue {
		is.failAfterIssue = false
		return requests.Certificate{}, fmt.Errorf("connection reset after issuing")
	}
	return c, nil
}

// CheckDraft refuses a building draft whose plot is empty, as certs
// would, naming the field as certs does.
func (is *keyedIssuer) CheckDraft(ctx context.Context, d requests.Draft) error {
	if d.Building != nil && d.Building.Plot == "" {
		return sijil.Errorf(sijil.Invalid, "certs.field_required", "plot is required").
			In("plot")
	}
	return nil
}

func (is *keyedIssuer) IssueBuilding(ctx context.Context, key string,
	d requests.BuildingDraft, records []string) (requests.Certificate, error) {
	return is.issue(ctx, key, records)
}

func (is *keyedIssuer) IssueCraft(ctx context.Context, key string, d requests.CraftDraft,
	records []string) (requests.Certificate, error) {
	return is.issue(ctx, key, records)
}

func (is *keyedIssuer) IssueCopy(ctx context.Context, key string, d requests.CopyDraft,
	record string) (requests.Certificate, error) {
	return is.issue(ctx, key, []string{record})
}

func (is *keyedIssuer) count() int {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.issued
}

// notices records what citizens were told.
type notices struct {
	mu   sync.Mutex
	sent []requests.Notice
}

func (n *notices) Send(ctx context.Context, m requests.Notice) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, m)
	return nil
}

// keysFor lists the notice keys sent to user about ref, in order.
func (n *notices) keysFor(user, ref string) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, m := range n.sent {
		if m.UserID == user && m.Params["ref"] == ref {
			out = append(out, m.Key)
		}
	}
	return out
}

// The people of the tests.
var (
	amal     = requests.Citizen("u-amal")
	basel    = requests.Citizen("u-basel")
	clerk    = requests.Staff("u-clerk", "clerk")
	clerk2   = requests.Staff("u-clerk2", "clerk")
	super    = requests.Staff("u-super", "supervisor")
	both     = requests.Staff("u-both", "clerk", "supervisor")
	archivis = requests.Staff("u-arch", "archivist")
)

func buildingForm() *requests.BuildingForm {
	return &requests.BuildingForm{Parcel: "١٢٣٤", Plot: "7", Neighbourhood: "الرمل",
		Street: "شارع البحر", Owner: "أمل حداد", ApproxYear: "١٩٩٨", Purpose: "bank loan"}
}

func buildingDraft() requests.Draft {
	return requests.Draft{
		Records: []requests.RecordLink{{RecordID: "rec-1", Pages: []int{1, 2}}},
		Building: &requests.BuildingDraft{HolderName: "أمل حداد", HolderID: "123456782",
			Parcel: "1234", Plot: "7", Neighbourhood: "الرمل", Street: "شارع البحر",
			ZoningStatus: "licensed", AsOf: "1998-01-01",
			Floors: []requests.FloorDraft{{Level: "0", AreaM2: "120.5", Use: "shop"}}},
	}
}

func (e *env) submit(t *testing.T, by requests.Actor) requests.Request {
	t.Helper()
	r, err := e.svc.Submit(context.Background(), by, buildingForm(), nil)
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return r
}

// drafted returns a request in awaiting approval, drafted by clerk.
func (e *env) drafted(t *testing.T) requests.Request {
	t.Helper()
	ctx := context.Background()
	r := e.submit(t, amal)
	must(t)(e.svc.StartReview(ctx, clerk, r.Ref))
	return must(t)(e.svc.SubmitDraft(ctx, clerk, r.Ref, buildingDraft()))
}

// must fails the test on an error from a step and returns its request.
func must(t *testing.T) func(requests.Request, error) requests.Request {
	return func(r requests.Request, err error) requests.Request {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
}

// wantKind fails unless err is of kind with key.
func wantKind(t *testing.T, err error, kind sijil.Kind, key string) {
	t.Helper()
	if err == nil || sijil.KindOf(err) != kind {
		t.Fatalf("got error %v (kind %v), want kind %v %s", err, sijil.KindOf(err), kind, key)
	}
	if got, _ := sijil.UserMessage(err); key != "" && got != key {
		t.Fatalf("got key %q (%v), want %q", got, err, key)
	}
}
