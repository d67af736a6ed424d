package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/subscriptions"
	"github.com/sijil-municipality/sijil/web"
)

// Each citizen sees the municipal accounts tied to their own national ID,
// with amounts in the currency's units and a credit said as such; a
// citizen with none sees so.
func TestAccountShowsTheCitizensOwnSubscriptions(t *testing.T) {
	var subs *subscriptions.Store
	p := newPortal(t, func(c *web.Config) { subs = c.Subscriptions })
	amal, mine := p.browser(t), p.browser(t)
	u1 := amal.signInCitizen(p, 1)
	u2 := mine.signInCitizen(p, 2)
	third := p.browser(t)
	third.signInCitizen(p, 3)

	csv := strings.Join(subscriptions.Columns, ",") + "\n" +
		u1.NationalID + ",W-1001,water,الرمال شارع البحر,active,1234.50,2026-10-14,50.00\n" +
		u1.NationalID + ",SW-77,solid_waste,الرمال شارع البحر,suspended,-12.05,,\n" +
		u2.NationalID + ",W-2002,water,الشجاعية,active,99.99,2026-09-01,10.00\n"
	if _, err := subs.Import(context.Background(), strings.NewReader(csv), "test"); err != nil {
		t.Fatal(err)
	}

	r := amal.get("/account")
	r.mustContain(t, "W-1001", "SW-77", "المياه", "النفايات الصلبة", "1234.50", "50.00",
		"2026-10-14", "مستحق عليك", "رصيد لصالحك", "12.05", "موقوف", `href="/requests/new"`,
		`href="/requests"`, `href="/tickets"`, u1.Masked())
	r.mustNotContain(t, "W-2002", "99.99", "-12.05", u1.NationalID)

	mine.get("/account").mustNotContain(t, "W-1001", "SW-77")

	mine.lang = "en"
	mine.get("/account").mustContain(t, "W-2002", "Water", "Due:", "99.99")

	third.get("/account").mustContain(t, "لا يوجد حساب بلدي مرتبط برقم هويتك")
}
