package certs

import (
	"strings"
	"time"

	"github.com/sijil-municipality/sijil/certs/render"
	"github.com/sijil-municipality/sijil/verify"
)

// footer is printed on every certificate: the service is free, and the
// hotline is where a citizen or a verifier can ask.
const footer = "هذه الخدمة مجانية · الخط الساخن 115 — Free of charge · Hotline 115"

// buildingSheet lays out a building certificate, Arabic first with English.
func buildingSheet(c verify.Content) render.Sheet {
	b := c.Building
	rows := make([][]string, 0, len(b.Floors))
	for _, f := range b.Floors {
		rows = append(rows, []string{f.Level, f.AreaM2, f.Use})
	}

	notes := []string{
		"تشهد البلدية بأن المعلومات الواردة أعلاه مطابقة لما هو مثبت في سجلاتها المؤرشفة " +
			"عن وضع المبنى قبل الحرب، وقد أعطيت هذه الإفادة بناءً على طلب صاحب العلاقة.",
		"The municipality certifies that the facts above match its archived records of " +
			"the building as it stood before the war.",
	}
	if len(b.Records) > 0 {
		notes = append(notes, "السجلات المثبتة / Proving records: "+recordList(b.Records))
	}

	return render.Sheet{
		Header:  officeLines(c.Issuer),
		Title:   "إفادة مبنى",
		TitleEn: "Building certificate",
		// Two fields a row: ten fields, the floors and the notes must share
		// one A4 page with the QR code.
		FieldColumns: 2,
		Fields: []render.Field{
			{Label: "رقم الإفادة", LabelEn: "Certificate no.", Value: c.ID},
			{Label: "تاريخ الإصدار", LabelEn: "Issued on", Value: issuedDate(c)},
			{Label: "اسم المالك", LabelEn: "Owner", Value: b.HolderName},
			{Label: "رقم الهوية", LabelEn: "National ID", Value: b.HolderID},
			{Label: "الحي", LabelEn: "Neighbourhood", Value: b.Neighbourhood},
			{Label: "الشارع", LabelEn: "Street", Value: b.Street},
			{Label: "رقم القطعة", LabelEn: "Parcel", Value: b.Parcel},
			{Label: "رقم القسيمة", LabelEn: "Plot", Value: b.Plot},
			{Label: "الوضع التنظيمي قبل الحرب", LabelEn: "Zoning status before the war",
				Value: b.ZoningStatus},
			{Label: "الوقائع كما في تاريخ", LabelEn: "Facts as of", Value: b.AsOf},
		},
		Table: &render.Table{
			Headers: []string{"الطابق / Floor", "المساحة م² / Area m²", "الاستعمال / Use"},
			Rows:    rows,
			Total:   []string{"المجموع / Total", b.TotalAreaM2, ""},
		},
		Notes:     notes,
		QRSizeMM:  qrSizeMM,
		QRCaption: []string{"امسح الرمز للتحقق · Scan to verify"},
		Footer:    footer,
	}
}

// qrSizeMM is the printed side of the QR code.
// TODO(#3): choose by measurement after blur and rotation at 150 dpi.
const qrSizeMM = 32

// officeLines splits the office name into its Arabic and English lines,
// written "عربي — English".
func officeLines(office string) []string {
	ar, en, ok := strings.Cut(office, " — ")
	if !ok {
		return []string{office}
	}
	return []string{ar, en}
}

func issuedDate(c verify.Content) string {
	return time.Unix(c.IssuedAt, 0).UTC().Format(time.DateOnly)
}

func recordList(refs []verify.RecordRef) string {
	parts := make([]string, len(refs))
	for i, r := range refs {
		parts[i] = r.ID + " (" + r.SHA256[:12] + "…)"
	}
	return strings.Join(parts, "، ")
}
