package certs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/sijil-municipality/sijil"
)

// maxJSONBytes bounds a certificate's facts; real ones are a few KB.
const maxJSONBytes = 1 << 20

// parseStrictJSON decodes one JSON object into v and refuses what a lenient
// decoder would let through silently: unknown (misspelt) fields, a field
// given twice (the last would win unseen), and anything after the object.
func parseStrictJSON(data []byte, v any) error {
	if len(data) > maxJSONBytes {
		return sijil.Errorf(sijil.TooLarge, "certs.json_too_large",
			"The certificate data is larger than %d KB.", maxJSONBytes>>10)
	}
	if err := checkNoDuplicateKeys(data); err != nil {
		return badJSON(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return badJSON(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return badJSON(errors.New("there is more after the JSON object"))
	}
	return nil
}

func badJSON(err error) error {
	return sijil.Errorf(sijil.Invalid, "certs.bad_json",
		"The certificate data is not valid: %v", err)
}

// maxJSONDepth bounds nesting; certificate facts are two levels deep.
const maxJSONDepth = 16

// checkNoDuplicateKeys walks the JSON and fails on an object that names a
// key twice.
func checkNoDuplicateKeys(data []byte) error {
	return walkJSON(json.NewDecoder(bytes.NewReader(data)), 0)
}

func walkJSON(dec *json.Decoder, depth int) error {
	if depth > maxJSONDepth {
		return errors.New("the data is nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	delim, ok := tok.(json.Delim)
	if !ok || (delim != '{' && delim != '[') {
		return nil
	}

	seen := map[string]bool{}
	for dec.More() {
		if delim == '{' {
			key, err := dec.Token()
			if err != nil {
				return err
			}
			name, _ := key.(string)
			if seen[name] {
				return fmt.Errorf("field %q is given twice", name)
			}
			seen[name] = true
		}
		if err := walkJSON(dec, depth+1); err != nil {
			return err
		}
	}
	_, err = dec.Token() // the closing delimiter
	return err
}
