package main

import (
	"context"
	"fmt"

	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/requests"
)

// addDemoRequests puts the demo citizen's requests in the office's queue
// (a building certificate citing the demo permit's parcel, a craft
// certificate, a certified copy of the permit) and one complaint, so that
// a clerk signing in has work to try. A citizen who has any request
// already gets nothing more: a second --demo start adds nothing twice.
func (e *env) addDemoRequests(ctx context.Context, accts *accounts.Service,
	reqs *requests.Service) error {
	if reqs == nil {
		return nil
	}
	u, err := accts.CitizenByNationalID(ctx, demoCitizenID)
	if err != nil {
		return err
	}
	by := requests.Citizen(u.ID)
	mine, err := reqs.MyRequests(ctx, by)
	if err != nil || len(mine) > 0 {
		return err
	}

	forms := []requests.Form{
		&requests.BuildingForm{Parcel: "1234", Plot: "56", Neighbourhood: "الرمال",
			Street: "شارع عمر المختار", Owner: u.FullName, ApproxYear: "1998",
			Purpose: "قرض من البنك لإعادة البناء"},
		&requests.CraftForm{ShopAddress: "الرمال، شارع عمر المختار، قرب الجامع العمري",
			Trade: "نجارة أثاث", Holder: u.FullName, FromYear: "1995", ToYear: "2023"},
		&requests.CopyForm{DocumentType: "رخصة بناء", ReferenceNo: "4517/1998",
			ApproxYear: "1998", Parties: u.FullName},
	}
	for _, f := range forms {
		r, err := reqs.Submit(ctx, by, f, nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Demo request %s (%s) is in the office's queue.\n", r.Ref, r.Kind)
	}
	_, err = reqs.OpenTicket(ctx, by, requests.TicketForm{Kind: requests.TicketComplaint,
		Category: "water", Place: "الرمال، قرب الجامع العمري",
		Text: "انقطعت المياه عن الشارع منذ ثلاثة أيام."})
	return err
}
