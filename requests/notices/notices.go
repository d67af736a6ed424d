// Package notices tells citizens about their requests and tickets: it
// adapts the accounts (whose phone) and a notify.Notifier (the SMS
// gateway, or the development outbox) to requests.Notifier. cmd builds a
// Sender and hands it to requests.New.
//
// A message is short and in both languages, Arabic first, because an SMS
// reaches a phone whatever language the citizen last chose on the site.
package notices

import (
	"context"
	"fmt"
	"strings"

	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/notify"
	"github.com/sijil-municipality/sijil/requests"
)

// Users finds a citizen's account; *accounts.Service is one.
type Users interface {
	UserByID(ctx context.Context, id string) (accounts.User, error)
}

// Sender is a requests.Notifier.
type Sender struct {
	Users    Users
	Notifier notify.Notifier
}

// Send writes n for its citizen's phone and hands it to the notifier.
func (s Sender) Send(ctx context.Context, n requests.Notice) error {
	subject, body, err := Text(n)
	if err != nil {
		return err
	}
	u, err := s.Users.UserByID(ctx, n.UserID)
	if err != nil {
		return fmt.Errorf("notices: find the citizen: %w", err)
	}
	return s.Notifier.Send(ctx, notify.Message{UserID: u.ID, To: u.Phone, Subject: subject,
		Body: body})
}

// text is one notice in Arabic and English; {ref} and {note} are filled
// in from the notice's params.
type text struct{ ar, en string }

var texts = map[string]text{
	"requests.notice_submitted": {"استلمنا طلبك رقم {ref}، وسنخبرك بكل خطوة.",
		"We received your request {ref} and will tell you of each step."},
	"requests.notice_review_started": {"طلبك {ref} قيد المراجعة.",
		"Your request {ref} is being reviewed."},
	"requests.notice_information_requested": {"نحتاج معلومات لطلبك {ref}: {note}",
		"We need information for your request {ref}: {note}"},
	"requests.notice_answered": {"وصلنا ردّك على طلبك {ref}.",
		"We received your answer on request {ref}."},
	"requests.notice_draft_submitted": {"أُعدّت إفادة طلبك {ref} وتنتظر الموافقة.",
		"The certificate for your request {ref} is drafted and awaits approval."},
	"requests.notice_issued": {"صدرت إفادة طلبك {ref}، ويمكنك تنزيلها من صفحة الطلب.",
		"The certificate for your request {ref} is issued: download it from the request page."},
	"requests.notice_rejected": {"رُفض طلبك {ref}: {note}",
		"Your request {ref} was rejected: {note}"},
	"requests.notice_certificate_revoked": {"أُلغيت إفادة طلبك {ref}، فلم تعد صالحة عند " +
		"التحقق. راجع صفحة الطلب أو اتصل بالخط الساخن 115.",
		"The certificate of your request {ref} was revoked and no longer verifies. " +
			"See the request page, or call the hotline 115."},
	"requests.notice_certificate_superseded": {"صدرت إفادة مصحّحة لطلبك {ref} بدل السابقة: " +
		"نزّلها من صفحة الطلب، فالسابقة لم تعد صالحة.",
		"A corrected certificate replaces the one of your request {ref}: download it " +
			"from the request page, as the old one no longer verifies."},
	"requests.notice_ticket_opened": {"سجّلنا بلاغك رقم {ref}.",
		"We registered your ticket {ref}."},
	"requests.notice_ticket_answered": {"ردّ المكتب على بلاغك {ref}.",
		"The office answered your ticket {ref}."},
	"requests.notice_ticket_closed": {"أُغلق بلاغك {ref}.", "Your ticket {ref} is closed."},
}

// Text returns the subject and body of n, in Arabic then English. A key
// with no text is an error, so that a new notice cannot go out blank.
func Text(n requests.Notice) (subject, body string, err error) {
	t, ok := texts[n.Key]
	if !ok {
		return "", "", fmt.Errorf("notices: no text for %q", n.Key)
	}
	fill := strings.NewReplacer("{ref}", n.Params["ref"], "{note}", n.Params["note"])
	subject = "سجل · Sijil " + n.Params["ref"]
	return subject, fill.Replace(t.ar) + "\n" + fill.Replace(t.en), nil
}
