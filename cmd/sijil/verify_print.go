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
	if c := r.Content.Craft; c != nil {
		printCraft(w, c)
	}
	if c := r.Content.Copy; c != nil {
		printCopy(w, c)
	}
}

func printLog(w io.Writer, r verify.Result) {
	switch {
	case r.Log == nil:
		fmt.Fprintln(w, "public log: not checked (needs the office's data or a connection)")
	case r.Log.Included:
		fmt.Fprintf(w, "public log: entry %d of %d, inclusion proven\n", r.Log.Entry(),
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

func printCraft(w io.Writer, c *verify.Craft) {
	fmt.Fprintf(w, "اسم المحل · shop: %s (licence %s)\n", c.ShopName, c.LicenceNo)
	fmt.Fprintf(w, "صاحب الحرفة · holder: %s (national ID %s)\n", c.HolderName, c.HolderID)
	fmt.Fprintf(w, "العنوان · address: neighbourhood %s, street %s\n", c.Neighbourhood,
		c.Street)
	fmt.Fprintf(w, "النشاط قبل الحرب · activity before the war: %s, from %d to %d\n",
		c.Activity, c.FromYear, c.ToYear)
	for _, rec := range c.Records {
		fmt.Fprintf(w, "proving record: %s (%s)\n", rec.ID, rec.SHA256)
	}
}

func printCopy(w io.Writer, c *verify.Copy) {
	fmt.Fprintf(w, "صورة طبق الأصل · certified copy of record %s (%s)\n", c.RecordID,
		c.SHA256)
	fmt.Fprintf(w, "file %q, reference %q, type %q, archived on %s\n", c.Filename,
		c.Reference, c.RecordType, c.ArchivedOn)
	for i, p := range c.Pages {
		fmt.Fprintf(w, "page %d of %d: SHA-256 %s\n", i+1, len(c.Pages), p)
	}
	if c.HolderName != "" {
		fmt.Fprintf(w, "مقدّم الطلب · requested by: %s (national ID %s)\n", c.HolderName,
			c.HolderID)
	}
}
