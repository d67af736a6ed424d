package main

import "github.com/sijil-municipality/sijil/certs/render"

// sheet is a building certificate as the issuer lays it out (see
// certs.buildingSheet and Issuer.issue): the same header, ten fields in pairs,
// three floors, notes citing a record and the three caption lines, so that
// the QR code sits where it sits on a real certificate and a size that
// crowds the page out fails here as it would in production.
func sheet(t token, sizeMM float64, level render.QRLevel) render.Sheet {
	return render.Sheet{
		Header:       []string{"بلدية المدينة", "City Municipality"},
		Title:        "إفادة مبنى",
		TitleEn:      "Building certificate",
		FieldColumns: 2,
		Fields:       sheetFields(t),
		Table: &render.Table{
			Headers: []string{"الطابق / Floor", "المساحة م² / Area m²", "الاستعمال / Use"},
			Rows: [][]string{
				{"الأرضي", "180", "تجاري"},
				{"الأول", "165.5", "سكني"},
				{"الثاني", "165.5", "سكني"},
			},
			Total: []string{"المجموع / Total", "511", ""},
		},
		Notes: []string{
			"تشهد البلدية بأن المعلومات الواردة أعلاه مطابقة لما هو مثبت في سجلاتها " +
				"المؤرشفة عن وضع المبنى قبل الحرب، وقد أعطيت هذه الإفادة بناءً على طلب " +
				"صاحب العلاقة.",
			"The municipality certifies that the facts above match its archived records " +
				"of the building as it stood before the war.",
			"السجلات المثبتة / Proving records: rec_01HZX4K2M9 (3f9a1c07be42…)",
		},
		QRText:   t.url,
		QRSizeMM: sizeMM,
		QRLevel:  level,
		QRCaption: []string{t.certID, "رمز التحقق · Check code: " + t.checkCode,
			"امسح الرمز للتحقق · Scan to verify"},
		Footer: "هذه الخدمة مجانية · الخط الساخن 115 — Free of charge · Hotline 115",
	}
}

func sheetFields(t token) []render.Field {
	return []render.Field{
		{Label: "رقم الإفادة", LabelEn: "Certificate no.", Value: t.certID},
		{Label: "تاريخ الإصدار", LabelEn: "Issued on", Value: t.issued},
		{Label: "اسم المالك", LabelEn: "Owner", Value: "أحمد محمود الخطيب"},
		{Label: "رقم الهوية", LabelEn: "National ID", Value: "123456782"},
		{Label: "الحي", LabelEn: "Neighbourhood", Value: "الرمال"},
		{Label: "الشارع", LabelEn: "Street", Value: "شارع عمر المختار"},
		{Label: "رقم القطعة", LabelEn: "Parcel", Value: "1234"},
		{Label: "رقم القسيمة", LabelEn: "Plot", Value: "56"},
		{Label: "الوضع التنظيمي قبل الحرب", LabelEn: "Zoning status before the war",
			Value: "مرخّص — سكني (رخصة 4517/1998)"},
		{Label: "الوقائع كما في تاريخ", LabelEn: "Facts as of", Value: "2023-10-01"},
	}
}
