package notices_test

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/notify"
	"github.com/sijil-municipality/sijil/requests"
	"github.com/sijil-municipality/sijil/requests/notices"
)

// TestEveryNoticeHasText: each notice requests sends has a text in both
// languages with the reference number in it.
func TestEveryNoticeHasText(t *testing.T) {
	for _, key := range requests.NoticeKeys() {
		t.Run(key, func(t *testing.T) {
			_, body, err := notices.Text(requests.Notice{Key: key,
				Params: map[string]string{"ref": "B-2026-4817-3925", "note": "Which floor?"}})
			if err != nil {
				t.Fatal(err)
			}
			ar, en, ok := strings.Cut(body, "\n")
			if !ok || strings.Count(ar, "B-2026-4817-3925") != 1 ||
				strings.Count(en, "B-2026-4817-3925") != 1 || strings.Contains(body, "{") {
				t.Fatalf("body %q", body)
			}
		})
	}
	if _, _, err := notices.Text(requests.Notice{Key: "requests.notice_unknown"}); err == nil {
		t.Fatal("a notice with no text was written")
	}
}

// TestSendReachesTheCitizensPhone: a notice goes to the phone of the
// citizen's account, through the development outbox.
func TestSendReachesTheCitizensPhone(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "sijil.db")+
		"?_pragma=busy_timeout(5000)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, migrate := range []func(context.Context, *sql.DB, string) error{
		accounts.Migrate, notify.Migrate} {
		if err := migrate(ctx, db, sijil.DialectSQLite); err != nil {
			t.Fatal(err)
		}
	}
	outbox := &notify.Outbox{DB: db}
	users, err := accounts.New(accounts.Config{DB: db, Notifier: outbox,
		Secret: bytes.Repeat([]byte("s"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	amal, err := users.Register(ctx, accounts.Registration{NationalID: "123456782",
		FullName: "أمل حداد", Phone: "0599123456", Password: "a long enough passphrase"})
	if err != nil {
		t.Fatal(err)
	}

	s := notices.Sender{Users: users, Notifier: outbox}
	err = s.Send(ctx, requests.Notice{UserID: amal.ID, Key: "requests.notice_rejected",
		Params: map[string]string{"ref": "B-2026-4817-3925", "note": "No record survived."}})
	if err != nil {
		t.Fatal(err)
	}
	sent, err := outbox.Latest(ctx, 5)
	if err != nil || len(sent) != 1 {
		t.Fatalf("outbox %+v, %v", sent, err)
	}
	m := sent[0]
	if m.To != amal.Phone || m.UserID != amal.ID ||
		!strings.Contains(m.Body, "رُفض طلبك B-2026-4817-3925: No record survived.") {
		t.Fatalf("sent %+v", m)
	}
	err = s.Send(ctx, requests.Notice{UserID: "u-nobody", Key: "requests.notice_issued",
		Params: map[string]string{"ref": "B-2026-4817-3925"}})
	if sijil.KindOf(err) != sijil.NotFound {
		t.Fatalf("a notice to no account: %v, want NotFound", err)
	}
}
