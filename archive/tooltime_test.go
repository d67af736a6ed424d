package archive_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/archive"
)

// TestHungToolIsRefusedNotWaitedFor pins the bug hunt's finding that a page
// an outside tool never finishes would hold a worker for ever. A script
// that never ends stands in for a tesseract stuck on a hostile page.
func TestHungToolIsRefusedNotWaitedFor(t *testing.T) {
	defer archive.SetToolTimeout(300 * time.Millisecond)()
	hung := filepath.Join(t.TempDir(), "tesseract")
	if err := os.WriteFile(hung, []byte("#!/bin/sh\nexec sleep 30\n"), 0o755); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	_, err := archive.Tesseract{Path: hung}.Read(context.Background(), "page.png",
		[]string{"ara"})
	var e *sijil.Error
	if !errors.As(err, &e) || e.Key != "archive.tool_timeout" {
		t.Fatalf("got %v, want archive.tool_timeout", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the hung tool was waited for %s", took)
	}
}
