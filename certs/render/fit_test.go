package render_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/certs/render"
)

// fullBuilding is the largest building certificate Sijil issues in
// practice: ten fields, eight floors, three notes and a 32 mm QR code
// holding a signed verify URL, laid out as certs.buildingSheet does.
func fullBuilding() render.Sheet {
	floors := [][]string{
		{"السفلي", "120", "مستودع"}, {"الأرضي", "135.5", "تجاري – Commercial"},
		{"الأول", "140", "سكني"}, {"الثاني", "140", "سكني"},
		{"الثالث", "140", "سكني"}, {"الرابع", "140", "سكني"},
		{"الخامس", "138", "سكني – Residential"}, {"السطح", "40", "غرفة خدمات"},
	}
	records := "السجلات المثبتة / Proving records: " + strings.Join([]string{
		"rec_0123456789abcdef (abababababab…)", "rec_fedcba9876543210 (cdcdcdcdcdcd…)",
		"rec_00112233aabbccdd (efefefefefef…)"}, "، ")
	return render.Sheet{
		Header: []string{"بلدية المدينة – دائرة التنظيم المدني",
			"Municipality of Al-Madina – Urban Planning Department"},
		Title:        "إفادة مبنى",
		TitleEn:      "Building certificate",
		FieldColumns: 2,
		Fields: []render.Field{
			{Label: "رقم الإفادة", LabelEn: "Certificate no.", Value: "ABCD-EFGH-IJKL-MNOP"},
			{Label: "تاريخ الإصدار", LabelEn: "Issued on", Value: "2024-03-01"},
			{Label: "اسم المالك", LabelEn: "Owner", Value: "محمد علي عبد الرحمن الحسن"},
			{Label: "رقم الهوية", LabelEn: "National ID", Value: "000123456789"},
			{Label: "الحي", LabelEn: "Neighbourhood", Value: "حي السراي القديم"},
			{Label: "الشارع", LabelEn: "Street", Value: "شارع الاستقلال"},
			{Label: "رقم القطعة", LabelEn: "Parcel", Value: "١٢٣٤"},
			{Label: "رقم القسيمة", LabelEn: "Plot", Value: "56/ب"},
			{Label: "الوضع التنظيمي قبل الحرب", LabelEn: "Zoning status before the war",
				Value: "مرخص بالكامل وفق رخصة البناء رقم 4517/1998"},
			{Label: "الوقائع كما في تاريخ", LabelEn: "Facts as of", Value: "2011-03-15"},
		},
		Table: &render.Table{
			Headers: []string{"الطابق / Floor", "المساحة م² / Area m²", "الاستعمال / Use"},
			Rows:    floors,
			Total:   []string{"المجموع / Total", "993.5", ""},
		},
		Notes: []string{
			"تشهد البلدية بأن المعلومات الواردة أعلاه مطابقة لما هو مثبت في سجلاتها " +
				"المؤرشفة عن وضع المبنى قبل الحرب، وقد أعطيت هذه الإفادة بناءً على طلب " +
				"صاحب العلاقة.",
			"The municipality certifies that the facts above match its archived records " +
				"of the building as it stood before the war.",
			records,
		},
		QRText:    "HTTP://127.0.0.1:8080/V/" + qrPayload(226),
		QRSizeMM:  32,
		QRCaption: []string{"ABCD-EFGH-IJKL-MNOP", "امسح الرمز للتحقق · Scan to verify"},
		Footer:    "هذه الخدمة مجانية · الخط الساخن 115 — Free of charge · Hotline 115",
	}
}

// qrPayload is n characters of upper-case base32, the shape of a signed
// certificate token.
func qrPayload(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var b strings.Builder
	for i := range n {
		b.WriteByte(alphabet[(i*7+i/3)%len(alphabet)])
	}
	return b.String()
}

// TestFullBuildingFitsOnePage pins the layout of the largest real
// certificate: it used to end 15 mm too low with only two floors.
func TestFullBuildingFitsOnePage(t *testing.T) {
	need(t, "pdftotext", "poppler-utils")
	need(t, "pdftoppm", "poppler-utils")
	need(t, "zbarimg", "zbar-tools")
	s := fullBuilding()
	path := writePDF(t, s)

	got := normalize(run(t, "pdftotext", "-nopgbrk", "-enc", "UTF-8", path, "-"))
	var texts []string
	for _, f := range s.Fields {
		texts = append(texts, f.Label, f.LabelEn, f.Value)
	}
	for _, want := range append(texts, s.Notes...) {
		if !strings.Contains(got, normalize(want)) {
			t.Errorf("pdftotext lacks %q; got:\n%s", want, got)
		}
	}

	prefix := filepath.Join(t.TempDir(), "page")
	run(t, "pdftoppm", "-r", "150", "-png", "-singlefile", path, prefix)
	qr := strings.TrimRight(run(t, "zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable",
		prefix+".png"), "\n")
	if qr != s.QRText {
		t.Errorf("zbarimg = %q, want %q", qr, s.QRText)
	}
}

func TestThreeFieldColumnsIsAnError(t *testing.T) {
	s := fullBuilding()
	s.FieldColumns = 3
	_, err := newRenderer(t).Sheet(s)
	if sijil.KindOf(err) != sijil.Invalid {
		t.Fatalf("Sheet error = %v, want Invalid", err)
	}
}
