package certs

import (
	"fmt"
	"strconv"
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

	sheet := certificateSheet(c, "إفادة مبنى", "Building certificate", []render.Field{
		{Label: "اسم المالك", LabelEn: "Owner", Value: b.HolderName},
		{Label: "رقم الهوية", LabelEn: "National ID", Value: b.HolderID},
		{Label: "الحي", LabelEn: "Neighbourhood", Value: b.Neighbourhood},
		{Label: "الشارع", LabelEn: "Street", Value: b.Street},
		{Label: "رقم القطعة", LabelEn: "Parcel", Value: b.Parcel},
		{Label: "رقم القسيمة", LabelEn: "Plot", Value: b.Plot},
		{Label: "الوضع التنظيمي قبل الحرب", LabelEn: "Zoning status before the war",
			Value: b.ZoningStatus},
		{Label: "الوقائع كما في تاريخ", LabelEn: "Facts as of", Value: b.AsOf},
	}, notes)
	sheet.Table = &render.Table{
		Headers: []string{"الطابق / Floor", "المساحة م² / Area m²", "الاستعمال / Use"},
		Rows:    rows,
		Total:   []string{"المجموع / Total", b.TotalAreaM2, ""},
	}
	return sheet
}

// craftSheet lays out a craft certificate, Arabic first with English.
func craftSheet(c verify.Content) render.Sheet {
	cr := c.Craft
	notes := []string{
		"تشهد البلدية بأن صاحب العلاقة المذكور أعلاه كان يزاول النشاط المبيّن في المحل " +
			"المذكور خلال السنوات المبيّنة قبل الحرب، وفق ما هو مثبت في سجلاتها المؤرشفة، " +
			"وقد أعطيت هذه الإفادة بناءً على طلبه.",
		"The municipality certifies that, according to its archived records, the holder " +
			"named above practised the activity stated in this shop in the years stated, " +
			"before the war.",
		"السجلات المثبتة / Proving records: " + recordList(cr.Records),
	}
	// The years stand in fields of their own: "1987–2023" in a line of
	// Arabic reads reversed to an English reader, and the reverse to an
	// Arabic one. The activity, often long, comes last, in a row of its own.
	return certificateSheet(c, "إفادة حرفة", "Craft certificate", []render.Field{
		{Label: "اسم المحل", LabelEn: "Shop name", Value: cr.ShopName},
		{Label: "رقم الرخصة", LabelEn: "Licence no.", Value: cr.LicenceNo},
		{Label: "صاحب الحرفة", LabelEn: "Holder", Value: cr.HolderName},
		{Label: "رقم الهوية", LabelEn: "National ID", Value: cr.HolderID},
		{Label: "الحي", LabelEn: "Neighbourhood", Value: cr.Neighbourhood},
		{Label: "الشارع", LabelEn: "Street", Value: cr.Street},
		{Label: "مزاولة النشاط من سنة", LabelEn: "Practised from (year)",
			Value: strconv.Itoa(cr.FromYear)},
		{Label: "حتى سنة", LabelEn: "Until (year)", Value: strconv.Itoa(cr.ToYear)},
		{Label: "طبيعة النشاط قبل الحرب", LabelEn: "Activity before the war",
			Value: cr.Activity},
	}, notes)
}

// copyCover lays out the cover page of a certified copy: what the archived
// record is, and what the pages after the cover are.
func copyCover(c verify.Content) render.Sheet {
	cp := c.Copy
	n := len(cp.Pages)
	ar, en := coverCount(n)
	notes := []string{
		"تشهد البلدية بأن " + ar + " صورة طبق الأصل عن السجل المؤرشف المبيّن أعلاه كما هو " +
			"محفوظ في أرشيفها. تحمل كل صفحة رمز التحقق ورقم هذه الإفادة.",
		"The municipality certifies that " + en + " a true copy of the archived record " +
			"named above, as kept in its archive. Every page bears the verification code " +
			"and this certificate's number.",
		"بصمة الأصل / SHA-256 of the original: " + cp.SHA256,
	}
	fields := []render.Field{
		{Label: "رقم السجل", LabelEn: "Record no.", Value: cp.RecordID},
		{Label: "تاريخ الأرشفة", LabelEn: "Archived on", Value: cp.ArchivedOn},
		{Label: "اسم الملف الأصلي", LabelEn: "Original file", Value: orDash(cp.Filename)},
		{Label: "المرجع", LabelEn: "Reference", Value: orDash(cp.Reference)},
		{Label: "نوع السجل", LabelEn: "Record type", Value: recordTypeValue(cp.RecordType)},
		{Label: "عدد الصفحات", LabelEn: "Pages", Value: fmt.Sprint(n)},
		{Label: "بصمة SHA-256", LabelEn: "SHA-256 (start)", Value: cp.SHA256[:16] + "…"},
	}
	if cp.HolderName != "" {
		fields = append(fields,
			render.Field{Label: "مقدّم الطلب", LabelEn: "Requested by", Value: cp.HolderName},
			render.Field{Label: "رقم الهوية", LabelEn: "National ID", Value: cp.HolderID})
	}
	return certificateSheet(c, "صورة طبق الأصل", "Certified copy", fields, notes)
}

// coverCount is the subject of the cover's certifying sentence, in Arabic
// and in English: an Arabic count agrees with its noun (one page and two
// take no number, and two the dual), an English one takes the plural.
func coverCount(n int) (ar, en string) {
	switch n {
	case 1:
		return "الصفحة التالية", "the page that follows is"
	case 2:
		return "الصفحتين التاليتين", "the 2 pages that follow are"
	}
	return fmt.Sprintf("الصفحات التالية، وعددها %d،", n),
		fmt.Sprintf("the %d pages that follow are", n)
}

// recordTypes are the archive's record types as a certificate names them,
// in Arabic and in English; the archive's codes mean nothing to a reader.
var recordTypes = map[string][2]string{
	"building_permit": {"رخصة بناء", "Building permit"},
	"craft_licence":   {"رخصة حرفة", "Craft licence"},
	"deed":            {"سند ملكية", "Deed"},
	"other":           {"أخرى", "Other"},
}

// RecordTypeLabel names an archive record type in Arabic and in English,
// as certificates print it; a type it does not know is returned as it is,
// in both.
func RecordTypeLabel(code string) (ar, en string) {
	if l, ok := recordTypes[code]; ok {
		return l[0], l[1]
	}
	return code, code
}

// recordTypeValue is the record type as the cover's field shows it: the
// Arabic name, then the English one.
func recordTypeValue(code string) string {
	if code == "" {
		return orDash(code)
	}
	ar, en := RecordTypeLabel(code)
	if ar == en {
		return ar
	}
	return ar + " · " + en
}

// copyStamp is what each copied page carries beside its QR code: what it
// is and where it stands in the record, an Arabic line and an English one
// (text extraction keeps a line in one direction in order), then the
// caption of every QR code.
func copyStamp(n, of int, caption []string) []string {
	return append([]string{
		fmt.Sprintf("صورة طبق الأصل · صفحة %d من %d", n, of),
		fmt.Sprintf("Certified copy · page %d of %d", n, of),
	}, caption...)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// certificateSheet is the frame every kind shares: the office, the titles,
// the certificate's number and date before the kind's own fields, two to
// a row so that the facts, the notes and the QR code share one A4 page,
// and the footer.
func certificateSheet(c verify.Content, title, titleEn string, fields []render.Field,
	notes []string) render.Sheet {
	return render.Sheet{
		Header:       officeLines(c.Issuer),
		Title:        title,
		TitleEn:      titleEn,
		FieldColumns: 2,
		Fields: append([]render.Field{
			{Label: "رقم الإفادة", LabelEn: "Certificate no.", Value: c.ID},
			{Label: "تاريخ الإصدار", LabelEn: "Issued on", Value: issuedDate(c)},
		}, fields...),
		Notes:     notes,
		QRSizeMM:  qrSizeMM,
		QRLevel:   qrLevel,
		QRCaption: []string{"امسح الرمز للتحقق · Scan to verify"},
		Footer:    footer,
	}
}

// qrSizeMM and qrLevel are the printed side and error correction of the QR
// code, chosen by measurement (issue #3): `go run ./cmd/qrspec` renders the
// certificate with 20 signed tokens (249-character verify link, alphanumeric
// mode) at every level and size and decodes it with zbarimg after a 2°
// rotation and 0.6 px blur at 150 dpi, the same as a photocopy (levels and
// noise), and at 100 dpi. Every case decoded from 32 mm at L, M and Q, and
// only from 40 mm at H; at 150 dpi alone Q needs 24 mm. Q, the strongest
// level that fits 35 mm with 3 mm to spare, is version 11 (61 modules of
// 0.57 mm) and restores about a quarter of the code under stamps and folds.
const (
	qrSizeMM = 35
	qrLevel  = render.QRQuartile
)

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
