package sijil_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/sijil-municipality/sijil"
)

// TestEachJoined: a form's problems, joined at several depths, come out
// one by one in order, so each can be shown beside its own field.
func TestEachJoined(t *testing.T) {
	name, phone, id := errors.New("name"), errors.New("phone"), errors.New("id")
	tests := []struct {
		err  error
		want []error
	}{
		{nil, nil},
		{name, []error{name}},
		{errors.Join(name, errors.Join(phone, id)), []error{name, phone, id}},
	}
	for _, tt := range tests {
		var got []error
		sijil.EachJoined(tt.err, func(err error) { got = append(got, err) })
		if !slices.Equal(got, tt.want) {
			t.Errorf("EachJoined(%v) gave %v, want %v", tt.err, got, tt.want)
		}
	}
}
