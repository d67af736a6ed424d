package archive

import (
	"context"
	"time"

	"github.com/sijil-municipality/sijil"
)

// toolTimeout bounds one run of an outside tool (tesseract, pdftoppm,
// pdfinfo) on one page: a hostile page that is slow to draw or read must
// not hold a worker for ever. A full 300-dpi page takes a few seconds.
var toolTimeout = 3 * time.Minute

// withToolTimeout returns the context a tool runs under.
func withToolTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, toolTimeout)
}

// toolTimedOut reports, as a refusal the archivist can act on, that a tool
// ran out of its own time while the caller's context was still live.
func toolTimedOut(parent, tool context.Context, name string) error {
	if parent.Err() != nil || tool.Err() == nil {
		return nil
	}
	return sijil.Errorf(sijil.Invalid, "archive.tool_timeout",
		"%s took longer than %s on one page; the page may be damaged or far too "+
			"complex: check the file, or scan that page again", name, toolTimeout)
}
