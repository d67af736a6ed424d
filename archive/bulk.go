package archive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/sijil-municipality/sijil"
)

// BulkImport archives the files of a manifest through an Ingester, on
// several workers, keeping each line's state in a job so that a run killed
// at any moment resumes where it stopped when run again.
type BulkImport struct {
	Ingester *Ingester // required; not changed
	Workers  int       // files read at once; 0 means runtime.NumCPU()

	// Actor is who runs the import, recorded in each ingest event; "" for
	// a script.
	Actor string

	// Progress, when set, is called after every line, one call at a time.
	Progress func(BulkProgress)
	Now      func() time.Time
}

// BulkProgress is how far a bulk import has come, lines done by earlier
// runs of the same job included.
type BulkProgress struct {
	Total, Done, Refused, Failed int
	Elapsed                      time.Duration // of this run
}

// BulkReport is the state of every line of a job after a run.
type BulkReport struct {
	JobID                                 string
	Lines                                 []JobLine
	Total, Done, Refused, Failed, Pending int
}

// Run imports the lines of m that its job has not done yet. A refused
// line (bad fields, a file outside the manifest's folder, a file Sijil
// cannot read) does not stop the others. When ctx ends, lines in flight
// stay pending and the job unfinished, for the next run; the report then
// comes back with ctx's error.
func (b *BulkImport) Run(ctx context.Context, m *Manifest) (BulkReport, error) {
	start := time.Now()
	j := jobs{db: b.Ingester.DB, now: b.Now}
	id, done, err := j.open(ctx, m)
	if err != nil {
		return BulkReport{}, err
	}

	root, err := os.OpenRoot(m.Dir)
	if err != nil {
		return BulkReport{}, fmt.Errorf("archive: manifest folder %s: %w", m.Dir, err)
	}
	defer root.Close()

	p := &progress{fn: b.Progress, start: start, BulkProgress: BulkProgress{Total: len(m.Lines)}}
	var todo []ManifestLine
	for _, l := range m.Lines {
		switch {
		case done[l.Line]:
			p.add(LineDone)
		case l.Refusal != nil:
			key, msg := sijil.UserMessage(l.Refusal)
			if err := j.set(ctx, id, l.Line, LineRefused, msg, key); err != nil {
				return BulkReport{}, err
			}
			p.add(LineRefused)
		default:
			todo = append(todo, l)
		}
	}

	if err := b.work(ctx, j, id, root, todo, p); err != nil {
		return BulkReport{}, err
	}
	if ctx.Err() == nil {
		if err := j.finish(ctx, id); err != nil {
			return BulkReport{}, err
		}
	}
	rep, err := report(context.WithoutCancel(ctx), j, id)
	if err == nil {
		err = ctx.Err()
	}
	return rep, err
}

// work runs the lines on the workers and stops at the first database
// failure, since no later line could be recorded either.
func (b *BulkImport) work(ctx context.Context, j jobs, id string, root *os.Root,
	todo []ManifestLine, p *progress) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	in := b.ingester()
	lines := make(chan ManifestLine)

	var wg sync.WaitGroup
	for range min(b.workers(), len(todo)) {
		wg.Go(func() {
			for l := range lines {
				state, err := importLine(ctx, in, j, id, root, l, b.Actor)
				if err != nil {
					cancel(err)
					continue
				}
				p.add(state)
			}
		})
	}
	for _, l := range todo {
		if ctx.Err() != nil {
			break
		}
		lines <- l
	}
	close(lines)
	wg.Wait()

	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// ingester returns a copy of the Ingester whose page workers share the
// CPUs with the file workers: one Tesseract per core in all.
func (b *BulkImport) ingester() *Ingester {
	in := *b.Ingester
	if in.Workers <= 0 {
		in.Workers = max(1, runtime.NumCPU()/b.workers())
	}
	return &in
}

func (b *BulkImport) workers() int {
	if b.Workers <= 0 {
		return runtime.NumCPU()
	}
	return b.Workers
}

// report reads back every line of the job and counts them by state.
func report(ctx context.Context, j jobs, id string) (BulkReport, error) {
	lines, err := j.lines(ctx, id)
	if err != nil {
		return BulkReport{}, err
	}
	rep := BulkReport{JobID: id, Lines: lines, Total: len(lines)}
	for _, l := range lines {
		switch l.State {
		case LineDone:
			rep.Done++
		case LineRefused:
			rep.Refused++
		case LineFailed:
			rep.Failed++
		default:
			rep.Pending++
		}
	}
	return rep, nil
}

// progress counts lines as workers finish them and reports each change.
type progress struct {
	mu    sync.Mutex
	fn    func(BulkProgress)
	start time.Time
	BulkProgress
}

func (p *progress) add(state string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch state {
	case LineDone:
		p.Done++
	case LineRefused:
		p.Refused++
	case LineFailed:
		p.Failed++
	default:
		return
	}
	p.Elapsed = time.Since(p.start)
	if p.fn != nil {
		p.fn(p.BulkProgress)
	}
}

// fileName is the name a record keeps of a manifest's file.
func fileName(l ManifestLine) string { return filepath.Base(l.File) }
