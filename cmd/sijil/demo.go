package main

import (
	"bytes"
	"context"
	"fmt"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/certs/render"
	"github.com/sijil-municipality/sijil/verify"
)

// addDemo fills an empty archive with a record the project makes itself (a
// pre-war building permit, rendered and then ingested through the real OCR
// pipeline) and a building certificate that cites it, so that a new user
// sees every part working.
func (e *env) addDemo(ctx context.Context, a *app, publicURL string) error {
	existing, err := archive.NewStore(a.db).Records(ctx, 1)
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		return e.showLatest(ctx, a, publicURL)
	}
	e.log.Info("adding demo data: one archived permit and one certificate")

	is, err := a.issuer(publicURL)
	if err != nil {
		return err
	}
	scan, err := is.Renderer.Sheet(demoPermit())
	if err != nil {
		return err
	}
	in, err := a.ingester()
	if err != nil {
		return err
	}
	rec, _, err := in.Ingest(ctx, bytes.NewReader(scan), demoPermitMetadata())
	if err != nil {
		return err
	}

	issued, err := is.IssueBuilding(ctx, demoRequest(rec.ID))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Demo record %s archived; demo certificate %s issued.\n", rec.ID,
		issued.ID)
	fmt.Fprintf(e.stdout, "Verify it at: %s\n", verify.LinkURL(is.PublicURL, issued.Token))
	return nil
}

// demoPermitMetadata is what an archivist records about the demo permit,
// read off the sheet (see demoPermit) and the certificate's facts (see
// demoRequest). Tesseract misreads digits, so without these fields the
// clerk's own search hint, owner:الخطيب parcel:1234 year:1995..1999,
// found nothing: parcels, dates and names are searched as the archivist
// typed them. The permit gives its year only, in its number.
func demoPermitMetadata() archive.Metadata {
	return archive.Metadata{
		Filename: "demo-building-permit-1998.pdf", RecordType: "building_permit",
		Reference: "4517/1998", Title: "رخصة بناء 4517/1998", Date: "1998",
		Names: []string{"أحمد محمود الخطيب"}, NationalIDs: []string{demoCitizenID},
		Parcel: "1234", Plot: "56", Neighbourhood: "الرمال", Street: "شارع عمر المختار",
		Source: "sijil serve --demo",
		Origin: "sijil serve --demo", // a second demo run is no duplicate to decide
	}
}

// demoRequest is the demo building certificate's facts, citing the record.
func demoRequest(recordID string) certs.BuildingRequest {
	return certs.BuildingRequest{
		HolderName: "أحمد محمود الخطيب", HolderID: "123456782",
		Parcel: "1234", Plot: "56", Neighbourhood: "الرمال", Street: "شارع عمر المختار",
		ZoningStatus: "مرخّص — سكني (رخصة 4517/1998)", AsOf: "2023-10-01",
		Floors: []certs.FloorRequest{
			{Level: "الأرضي", AreaM2: "180", Use: "تجاري"},
			{Level: "الأول", AreaM2: "165.5", Use: "سكني"},
			{Level: "الثاني", AreaM2: "165.5", Use: "سكني"},
		},
		Records: []string{recordID},
	}
}

// demoPermit is the demo archive document: a building permit as the
// municipality would have written it before the war.
func demoPermit() render.Sheet {
	return render.Sheet{
		Header:  []string{"بلدية المدينة", "قسم الهندسة والتنظيم"},
		Title:   "رخصة بناء",
		TitleEn: "Building permit",
		Fields: []render.Field{
			{Label: "رقم الرخصة", LabelEn: "Permit no.", Value: "4517/1998"},
			{Label: "اسم المالك", LabelEn: "Owner", Value: "أحمد محمود الخطيب"},
			{Label: "الحي", LabelEn: "Neighbourhood", Value: "الرمال"},
			{Label: "رقم القطعة", LabelEn: "Parcel", Value: "1234"},
			{Label: "رقم القسيمة", LabelEn: "Plot", Value: "56"},
			{Label: "عدد الطوابق", LabelEn: "Floors", Value: "ثلاثة طوابق"},
		},
		Notes: []string{"يسمح للمالك ببناء عمارة سكنية تجارية من ثلاثة طوابق وفق " +
			"المخططات المصدقة من قسم الهندسة."},
		QRText: "DEMO-PERMIT-4517-1998",
		Footer: "صورة أرشيفية للعرض التجريبي — Demo archive document",
	}
}

// showLatest reminds a returning user where the newest certificate verifies.
func (e *env) showLatest(ctx context.Context, a *app, publicURL string) error {
	c, err := (&certs.Store{DB: a.db}).Latest(ctx)
	if sijil.KindOf(err) == sijil.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "The archive already holds data. The newest certificate, %s, "+
		"verifies at:\n%s\n", c.ID, verify.LinkURL(publicURL, c.Token))
	return nil
}
