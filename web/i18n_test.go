package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/archive"
)

func TestCatalogsAreComplete(t *testing.T) {
	cats, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	// A counting text ("KEY#FORM") has the forms its language's rules use,
	// which differ: the languages must agree on its key only.
	keys := func(lang string) map[string]bool {
		out := map[string]bool{}
		for k := range cats[lang] {
			out[strings.Split(k, "#")[0]] = true
		}
		return out
	}
	for _, lang := range languages {
		for key := range keys(langEN) {
			if !keys(lang)[key] {
				t.Errorf("%s lacks %q, which English has", lang, key)
			}
		}
		for key := range keys(lang) {
			if !keys(langEN)[key] {
				t.Errorf("English lacks %q, which %s has", key, lang)
			}
		}
		for k := range cats[lang] {
			base, _, counting := strings.Cut(k, "#")
			if !counting {
				continue
			}
			for n := range 1001 {
				if _, ok := cats[lang][base+"#"+pluralForm(lang, n)]; !ok {
					t.Errorf("%s: %q lacks the form %q, which %d takes", lang, base,
						pluralForm(lang, n), n)
					break
				}
			}
		}
	}

	// Every key a template or a handler names exists.
	used := map[string]string{}
	templateKey := regexp.MustCompile(`\b[TN] "([a-z0-9_.]+)"`)
	goKey := regexp.MustCompile(`\bs\.[TN]\(r, "([a-z0-9_.]+)"`)
	err = fs.WalkDir(os.DirFS("."), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		re := templateKey
		switch filepath.Ext(path) {
		case ".html":
		case ".go":
			re = goKey
		default:
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range accounts.StaffRoles {
		used["role."+role] = "staff.html"
	}
	for _, key := range archive.DetailKeys() {
		used[key] = "archive_record.go (event details)"
	}
	for _, key := range []string{"bulk.already_archived", "bulk.not_fully_indexed",
		"bulk.fields", "bulk.no_file", "bulk.outside", "bulk.missing", "bulk.unreadable",
		"bulk.not_file", "bulk.record_type", "bulk.restricted", "bulk.national_id",
		"bulk.not_text", "bulk.already_archived_differs", "bulk.failed"} {
		used[key] = "archive_imports.go (refused lines)"
	}
	for key, path := range used {
		if !keys(langEN)[key] {
			t.Errorf("%s uses %q, which no catalog defines", path, key)
		}
	}
	if len(used) < 20 || !slices.Contains(languages, defaultLang) {
		t.Fatalf("found only %d keys in use: is the scan broken?", len(used))
	}
}
