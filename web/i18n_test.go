package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/archive"
)

func TestCatalogsAreComplete(t *testing.T) {
	cats, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range languages {
		for key := range cats[langEN] {
			if _, ok := cats[lang][key]; !ok {
				t.Errorf("%s lacks %q, which English has", lang, key)
			}
		}
		for key := range cats[lang] {
			if _, ok := cats[langEN][key]; !ok {
				t.Errorf("English lacks %q, which %s has", key, lang)
			}
		}
	}

	// Every key a template or a handler names exists.
	used := map[string]string{}
	templateKey := regexp.MustCompile(`\bT "([a-z0-9_.]+)"`)
	goKey := regexp.MustCompile(`\bs\.T\(r, "([a-z0-9_.]+)"`)
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
		"bulk.not_file", "bulk.record_type", "bulk.restricted", "bulk.national_id"} {
		used[key] = "archive_imports.go (refused lines)"
	}
	for key, path := range used {
		if _, ok := cats[langEN][key]; !ok {
			t.Errorf("%s uses %q, which no catalog defines", path, key)
		}
	}
	if len(used) < 20 || !slices.Contains(languages, defaultLang) {
		t.Fatalf("found only %d keys in use: is the scan broken?", len(used))
	}
}
