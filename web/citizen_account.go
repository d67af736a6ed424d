package web

import (
	"net/http"

	"github.com/sijil-municipality/sijil/requests"
	"github.com/sijil-municipality/sijil/subscriptions"
)

// accountView is the citizen's landing page beyond their details: the
// municipal accounts the billing snapshot ties to their national ID.
type accountView struct {
	Billing  bool // a snapshot is served at all
	Accounts []accountRow
	Services bool // the request and ticket pages are served

	// Waiting are the citizen's requests on which the office waits for an
	// answer: said first, since nothing moves until they answer.
	Waiting []requests.Summary
}

// accountRow is one municipal account as the page shows it. Amounts are
// in the currency's units with two decimals; a credit is shown as such
// rather than as a minus sign, which a right-to-left line can move.
// TODO(#5): the currency's name is the catalog's "citizen.currency"; it
// belongs in the billing import's configuration.
type accountRow struct {
	subscriptions.Account
	Balance     string
	Credit      bool
	PaidOn      string
	PaidAmount  string
	HasPayment  bool
	BalanceZero bool
}

// accountData reads the signed-in citizen's accounts from the billing
// snapshot: an empty list when none is tied to them, or when no snapshot
// was imported yet.
func (s *Server) accountData(r *http.Request) (accountView, error) {
	v := accountView{Billing: s.cfg.Subscriptions != nil, Services: s.cfg.Requests != nil}
	u := CurrentUser(r.Context())
	if u == nil || u.IsStaff() {
		return v, nil
	}
	if v.Services {
		mine, err := s.cfg.Requests.MyRequests(r.Context(), citizenActor(r))
		if err != nil {
			return v, err
		}
		for _, m := range mine {
			if m.State == requests.StateNeedsInformation {
				v.Waiting = append(v.Waiting, m)
			}
		}
	}
	if !v.Billing {
		return v, nil
	}
	accts, err := s.cfg.Subscriptions.ByNationalID(r.Context(), u.NationalID)
	if err != nil {
		return v, err
	}
	for _, a := range accts {
		row := accountRow{Account: a, Balance: a.Balance.String(), Credit: a.Balance < 0,
			BalanceZero: a.Balance == 0}
		if row.Credit {
			row.Balance = (-a.Balance).String()
		}
		if a.LastPayment != nil {
			row.HasPayment = true
			row.PaidOn = a.LastPayment.Date.Format("2006-01-02")
			row.PaidAmount = a.LastPayment.Amount.String()
		}
		v.Accounts = append(v.Accounts, row)
	}
	return v, nil
}
