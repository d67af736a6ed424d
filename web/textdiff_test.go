package web

import (
	"strings"
	"testing"
)

// TestWordDiff: a corrected page text shows the words that changed, with a
// few around them, not two pages to compare.
func TestWordDiff(t *testing.T) {
	old := "نبذة عن الإدارة العامة لامباني واحدة من أقدم الإدارات الفنية بوزارة التخطيط " +
		"والتنمية العمرانية وتمثل الواجهة التنفيذية لمختلف أنواع النشاط العمراني"
	fixed := strings.Replace(old, "لامباني", "للمباني", 1)
	for _, tt := range []struct {
		old, new, want string
	}{
		{old, fixed, "… عن الإدارة العامة <del>لامباني</del> <ins>للمباني</ins> " +
			"واحدة من أقدم …"},
		{"a b c", "a b c d", "a b c <ins>d</ins>"},
		{"x <script>", "x y", "x <del>&lt;script&gt;</del> <ins>y</ins>"},
		{strings.Repeat("w ", 30), "new", "<del>w w w w w w w w w w … w w w w w w w w w w</del> " +
			"<ins>new</ins>"},
	} {
		if got := string(wordDiff(tt.old, tt.new)); got != tt.want {
			t.Errorf("wordDiff(%q, %q)\n got %q\nwant %q", tt.old, tt.new, got, tt.want)
		}
	}
}
