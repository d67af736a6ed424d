package archive

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"
)

// originalIdle is how long a copy of an original is kept after its last
// page image was made from it: a record page asks for its thumbnails one
// after another as it scrolls, and a certified copy for every page.
const originalIdle = 30 * time.Second

// originals holds the copies of originals that page images are being made
// from, one per store and record, so that the thumbnails of a 500-page
// register copy and hash its 200 MB original once rather than once a page.
var originals = originalCache{copies: map[string]*originalCopy{}}

type originalCache struct {
	mu     sync.Mutex
	copies map[string]*originalCopy
}

// originalCopy is a fetched, checked and split original, with the makings
// that use it.
type originalCopy struct {
	ready   chan struct{} // closed once fetched, or failed
	sources []pageSource
	dir     string // holds the copy
	err     error
	done    func() // removes the copy

	users int
	idle  *time.Timer // set while no making uses it
}

// pages returns the split pages of a record's original, copied out of the
// store and checked against its hash once for all the makings that ask
// for it while it is kept; release must be called when the caller is done
// with the sources.
func (in *Ingester) pages(ctx context.Context, rec Record) (
	sources []pageSource, release func(), err error) {
	// Pages split under other limits come out another size.
	key := makingKey(in.Blobs, fmt.Sprintf("%s %+v", rec.SHA256, in.Limits.withDefaults()))
	c := &originals
	c.mu.Lock()
	oc, ok := c.copies[key]
	if ok {
		oc.users++
		if oc.idle != nil {
			oc.idle.Stop()
			oc.idle = nil
		}
		// Another process clears copies an hour old (see cmd/sijil tempDir).
		now := time.Now()
		_ = os.Chtimes(oc.dir, now, now) // a failure only shortens its life
	} else {
		oc = &originalCopy{ready: make(chan struct{}), users: 1}
		c.copies[key] = oc
	}
	c.mu.Unlock()

	if !ok {
		oc.sources, oc.dir, oc.done, oc.err = in.originalPages(ctx, rec)
		close(oc.ready)
	}
	<-oc.ready
	release = func() { c.release(key, oc) }
	if oc.err != nil {
		release()
		return nil, nil, oc.err
	}
	return oc.sources, release, nil
}

// release ends a making's use of a copy. A failed fetch is forgotten at
// once, so that the next look tries again; a good copy is removed once
// it has been idle for originalIdle.
func (c *originalCache) release(key string, oc *originalCopy) {
	c.mu.Lock()
	defer c.mu.Unlock()
	oc.users--
	if oc.users > 0 {
		return
	}
	if oc.err != nil {
		if c.copies[key] == oc {
			delete(c.copies, key)
		}
		return
	}
	oc.idle = time.AfterFunc(originalIdle, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if oc.users > 0 || c.copies[key] != oc {
			return // taken up again since the timer fired
		}
		delete(c.copies, key)
		oc.done()
	})
}
