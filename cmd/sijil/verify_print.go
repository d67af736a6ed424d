package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/sijil-municipality/sijil/verify"
)

// printResult tells the verifier the verdict and every certified fact to
// compare with the paper.
func printResult(e *env, r verify.Result) {
	w := e.stdout
	if r.Status != verify.StatusValid {
		fmt.Fprintf(w, "%s: %s\n", strings.ToUpper(string(r.Status)), r.Reason)
		if r.Status == verify.StatusInvalid {
			return
		}
	} else {
		fmt.Fprintf(w, "VALID: genuine %s certificate %s, issued %s, key %s\n",
			r.Kind, r.CertID, r.IssuedAt, r.KeyID)
	}
	printLog(w, r)
	if !r.ContentChecked {
		fmt.Fprintln(w, "(signature only: the certified content was not at hand)")
		return
	}
	if b := r.Content.Building; b != nil {
		printBuilding(w, b)
	}
}

func printLog(w io.Writer, r verify.Result) {
	switch {
	case r.Log == nil:
		fmt.Fprintln(w, "public log: not checked (needs the office's data or a connection)")
	case r.Log.Included:
		fmt.Fprintf(w, "public log: entry %d of %d, inclusion proven\n", r.Log.Index,
			r.Log.TreeSize)
	}
	if r.RevocationsAsOf != "" {
		fmt.Fprintf(w, "revocations known as of %s\n", r.RevocationsAsOf)
	}
}

func printBuilding(w io.Writer, b *verify.Building) {
	fmt.Fprintf(w, "owner: %s (national ID %s)\n", b.HolderName, b.HolderID)
	fmt.Fprintf(w, "neighbourhood %s, street %s, parcel %s, plot %s\n", b.Neighbourhood,
		b.Street, b.Parcel, b.Plot)
	fmt.Fprintf(w, "zoning status before the war: %s (facts as of %s)\n", b.ZoningStatus,
		b.AsOf)
	for _, f := range b.Floors {
		fmt.Fprintf(w, "floor %s: %s m², %s\n", f.Level, f.AreaM2, f.Use)
	}
	fmt.Fprintf(w, "total area: %s m²\n", b.TotalAreaM2)
	for _, rec := range b.Records {
		fmt.Fprintf(w, "proving record: %s (%s)\n", rec.ID, rec.SHA256)
	}
}
