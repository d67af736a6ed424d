package certs_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/certs/certstest"
)

// problems maps each field a check names to the key of its problem.
func problems(err error) map[string]string {
	out := map[string]string{}
	sijil.EachJoined(err, func(err error) {
		var se *sijil.Error
		if errors.As(err, &se) {
			out[se.Field] = se.Key
		}
	})
	return out
}

// building is validFacts changed by edit, a map of its JSON.
func building(t *testing.T, edit func(m map[string]any)) certs.BuildingRequest {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(validFacts), &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	req, err := certs.ParseBuildingRequest(data)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func setField(name string, v any) func(map[string]any) {
	return func(m map[string]any) { m[name] = v }
}

func setArea(area any) func(map[string]any) {
	return func(m map[string]any) {
		m["floors"].([]any)[1].(map[string]any)["area_m2"] = area
	}
}

// longTexts is a sheet whose fields, each within its own limit, are
// together too long for the first page; the street is the longest.
func longTexts(m map[string]any) {
	words := strings.Repeat("كلمة ", 39)
	for _, f := range []string{"holder_name", "parcel", "plot", "neighbourhood",
		"zoning_status"} {
		m[f] = words
	}
	m["street"] = words + "شارع"
}

func TestCheckBuildingNamesTheFieldIssuingRefuses(t *testing.T) {
	is := newIssuer(t)
	tests := []struct {
		name string
		edit func(map[string]any)
		want map[string]string
	}{
		{"good facts", func(map[string]any) {}, map[string]string{}},
		{"no plot", setField("plot", " "), map[string]string{"plot": "certs.field_required"}},
		{"no street", setField("street", ""),
			map[string]string{"street": "certs.field_required"}},
		{"facts dated in the future", setField("as_of", "2027-01-01"),
			map[string]string{"as_of": "certs.as_of_future"}},
		{"a date written the other way", setField("as_of", "01/10/2023"),
			map[string]string{"as_of": "certs.bad_as_of"}},
		{"a floor of 0 m²", setArea(0), map[string]string{"floors": "certs.bad_area"}},
		{"a floor of -5 m²", setArea(-5), map[string]string{"floors": "certs.bad_area"}},
		{"no floors", setField("floors", []any{}),
			map[string]string{"floors": "certs.floor_count"}},
		{"a name the font cannot print", setField("holder_name", "أحمد 中"),
			map[string]string{"holder_name": "render.missing_glyph"}},
		{"an emoji in the street", setField("street", "شارع البحر 🌊"),
			map[string]string{"street": "render.missing_glyph"}},
		{"texts too long for the page", longTexts,
			map[string]string{"street": "render.too_long"}},
		{"a record not in the archive", setField("records", []string{"rec_nowhere"}),
			map[string]string{"records": "certs.unknown_record"}},
		{"every problem at once", func(m map[string]any) {
			m["plot"], m["as_of"] = "", "2999-01-01"
			setArea(-5)(m)
		}, map[string]string{"plot": "certs.field_required", "as_of": "certs.as_of_future",
			"floors": "certs.bad_area"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := building(t, tt.edit)
			err := is.CheckBuilding(context.Background(), req)
			if got := problems(err); !maps.Equal(got, tt.want) {
				t.Fatalf("CheckBuilding: field problems %v, want %v; error: %v", got, tt.want, err)
			}

			// Issuing refuses the same, field for field: the check is its own.
			_, err = is.IssueBuilding(context.Background(), req)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("issuing facts the check passed: %v", err)
				}
				return
			}
			if got := problems(err); !maps.Equal(got, tt.want) {
				t.Errorf("IssueBuilding: field problems %v, want %v; error: %v", got, tt.want, err)
			}
		})
	}
}

func TestCheckBuildingIssuesNothing(t *testing.T) {
	is := newIssuer(t)
	req := building(t, func(map[string]any) {})
	before, beforeErr := is.Store.Latest(context.Background())
	if err := is.CheckBuilding(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	after, afterErr := is.Store.Latest(context.Background())
	if after.ID != before.ID || sijil.KindOf(afterErr) != sijil.KindOf(beforeErr) {
		t.Errorf("a check recorded certificate %q (%v); it must issue nothing", after.ID,
			afterErr)
	}
}

func TestCheckCraftNamesItsFields(t *testing.T) {
	is := newCraftOffice(t).Issuer
	tests := map[string]struct {
		edit map[string]any
		want map[string]string
	}{
		"good facts": {nil, map[string]string{}},
		"no shop name": {map[string]any{"shop_name": ""},
			map[string]string{"shop_name": "certs.field_required"}},
		"a year to come": {map[string]any{"to_year": 2999},
			map[string]string{"to_year": "certs.bad_year"}},
		"years reversed": {map[string]any{"from_year": 2000, "to_year": 1990},
			map[string]string{"to_year": "certs.years_reversed"}},
		"an emoji in the activity": {map[string]any{"activity": "نجارة 🪚"},
			map[string]string{"activity": "render.missing_glyph"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal([]byte(validCraft), &m); err != nil {
				t.Fatal(err)
			}
			maps.Copy(m, tt.edit)
			data, _ := json.Marshal(m)
			req, err := certs.ParseCraftRequest(data)
			if err != nil {
				t.Fatal(err)
			}
			err = is.CheckCraft(context.Background(), req)
			if got := problems(err); !maps.Equal(got, tt.want) {
				t.Errorf("field problems %v, want %v; error: %v", got, tt.want, err)
			}
		})
	}
}

func TestCheckCopyNamesItsFields(t *testing.T) {
	is := certstest.New(t, now, nil).Issuer
	empty := *is
	empty.Pages = noPages{}
	tests := []struct {
		name string
		is   *certs.Issuer
		req  certs.CopyRequest
		want map[string]string
	}{
		{"no record", is, certs.CopyRequest{},
			map[string]string{"record": "certs.field_required"}},
		{"unknown record", is, certs.CopyRequest{Record: "rec_0000000000000000"},
			map[string]string{"record": "certs.unknown_record"}},
		{"a holder without an ID", &empty,
			certs.CopyRequest{Record: "rec_empty", HolderName: "خالد"},
			map[string]string{"holder_id": "certs.bad_national_id",
				"record": "certs.record_no_pages"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.is.CheckCopy(context.Background(), tt.req)
			if got := problems(err); !maps.Equal(got, tt.want) {
				t.Errorf("field problems %v, want %v; error: %v", got, tt.want, err)
			}
		})
	}
}
