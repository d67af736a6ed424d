package web

import (
	"io"
	"mime"
	"net/http"
	"strconv"
)

// sendAttachment answers with a stored file as an attachment named name:
// never shown inline, so that nothing a citizen uploaded runs in the
// portal's origin, and never kept by the browser or a proxy, since a
// citizen's ID document or certificate is often opened on a shared PC.
// size is the file's length, or -1 when unknown.
//
// Once the body has started, a failure to copy it is logged, not
// returned: an error page would be appended to half a file.
func (s *Server) sendAttachment(w http.ResponseWriter, r *http.Request, name,
	contentType string, size int64, body io.Reader) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	disp := mime.FormatMediaType("attachment", map[string]string{"filename": name})
	if disp == "" {
		disp = "attachment" // a name mime cannot write: the browser picks one
	}
	h.Set("Content-Disposition", disp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	if size >= 0 {
		h.Set("Content-Length", strconv.FormatInt(size, 10))
	}

	if _, err := io.Copy(w, body); err != nil {
		s.log.Warn("send file", "request_id", requestID(r), "path", r.URL.Path, "err", err)
	}
	return nil
}
