package web

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/requests"
)

// maxFormFields bounds the text of a form with files: its fields and the
// multipart framing, on top of the files themselves.
const maxFormFields = 64 << 10

// parseUpload reads a multipart form part by part: its text fields into
// r.PostForm, and up to max files of the file input name into temporary
// files, each refused past requests.MaxFileBytes as soon as it gets
// there. The whole body is bounded before anything is read. Fields read
// before a refused file stay in r.PostForm, so that a form shown again
// keeps what was typed (a browser sends the fields in page order, the
// text before the file). The caller removes the files with closeUploads.
func parseUpload(w http.ResponseWriter, r *http.Request, name string,
	max int) ([]requests.Upload, error) {
	r.Body = http.MaxBytesReader(w, r.Body, int64(max)*requests.MaxFileBytes+maxFormFields)
	mr, err := r.MultipartReader()
	if errors.Is(err, http.ErrNotMultipart) {
		// A form with no file input, as the authorization test sends. A
		// body that does not parse is the sender's to fix, not our failure.
		if err := r.ParseForm(); err != nil {
			return nil, errUnreadable()
		}
		return nil, nil
	}
	if err != nil {
		return nil, errUnreadable()
	}
	r.PostForm = url.Values{}
	r.Form = r.PostForm

	var out []requests.Upload
	// Every text field together, not each alone, stays within
	// maxFormFields: the fields are held in memory and echoed back.
	textLeft := int64(maxFormFields)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			closeUploads(out)
			return nil, uploadError(err)
		}
		if part.FormName() != name || part.FileName() == "" {
			err = readField(r.PostForm, part, &textLeft)
		} else if len(out) == max {
			err = sijil.Errorf(sijil.Invalid, "requests.files_too_many",
				"Attach at most %d files.", max)
		} else {
			var u requests.Upload
			if u, err = spool(part, part.FileName()); err == nil && u.Body != nil {
				out = append(out, u)
			}
		}
		part.Close()
		if err != nil {
			closeUploads(out)
			return nil, uploadError(err)
		}
	}
}

// readField adds a text field to v, refusing it past the *left bytes the
// form's text may still have, and takes its length from *left; a file in
// any other input is skipped.
func readField(v url.Values, part *multipart.Part, left *int64) error {
	if part.FileName() != "" {
		_, err := io.Copy(io.Discard, part)
		return err
	}
	b, err := io.ReadAll(io.LimitReader(part, *left+1))
	if err != nil {
		return err
	}
	if int64(len(b)) > *left {
		return sijil.Errorf(sijil.TooLarge, "citizen.form_too_long",
			"The form's text is too long: shorten what you wrote and send it again.")
	}
	*left -= int64(len(b))
	v.Add(part.FormName(), string(b))
	return nil
}

// spool copies one file to a temporary file, refusing it past the limit;
// an empty file input (no bytes) is no upload.
func spool(part *multipart.Part, name string) (requests.Upload, error) {
	f, err := os.CreateTemp("", "sijil-upload-*")
	if err != nil {
		return requests.Upload{}, fmt.Errorf("web: spool upload: %w", err) // a *fs.PathError
	}
	n, err := io.Copy(f, io.LimitReader(part, requests.MaxFileBytes+1))
	if err == nil && n > requests.MaxFileBytes {
		err = errFileTooLarge()
	}
	if err == nil && n == 0 {
		err = io.EOF
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		if err == io.EOF {
			return requests.Upload{}, nil
		}
		return requests.Upload{}, err
	}
	return requests.Upload{Name: name, Body: f}, nil
}

// closeUploads closes and removes the temporary files of the uploads.
func closeUploads(us []requests.Upload) {
	for _, u := range us {
		if f, ok := u.Body.(*os.File); ok {
			f.Close()
			os.Remove(f.Name())
		}
	}
}

// uploadError says what went wrong reading an upload in the citizen's
// terms: too large, or unreadable (a body cut short or malformed). A
// refusal of ours passes as it is, and so does a failure to write the
// temporary file, which is the server's.
func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	var disk *fs.PathError
	switch {
	case errors.As(err, &tooBig):
		return errFileTooLarge()
	case sijil.KindOf(err) != sijil.Internal, errors.As(err, &disk):
		return err
	}
	return errUnreadable()
}

func errFileTooLarge() error {
	return sijil.Errorf(sijil.TooLarge, "citizen.upload_too_large",
		"The files are too large: each may be at most %d MB.", requests.MaxFileBytes>>20)
}

func errUnreadable() error {
	return sijil.Errorf(sijil.Invalid, "citizen.upload_unreadable",
		"The form could not be read; send it again.")
}
