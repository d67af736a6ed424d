package archive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// originalIdle is how long a copy of an original is kept after its last
// page image was made from it: a record page asks for its thumbnails one
// after another as it scrolls, and a certified copy for every page.
const originalIdle = 30 * time.Second

// originalFailKept is how long a failed fetch (a damaged or missing
// original) answers for the others, counted from the failure: the other
// pages of a record asked for at the same time would each fetch and hash
// it again, while an original restored since is tried again soon.
const originalFailKept = 5 * time.Second

// originals holds the copies of originals that page images are being made
// from, one per store and record, so that the thumbnails of a 500-page
// register copy and hash its 200 MB original once rather than once a page.
var originals = originalCache{copies: map[string]*originalCopy{}}

type originalCache struct {
	mu       sync.Mutex
	copies   map[string]*originalCopy
	dropping bool // DropOriginals was called: nothing is kept idle
}

// originalCopy is a fetched, checked and split original, with the makings
// that use it.
type originalCopy struct {
	ready   chan struct{} // closed once fetched, or failed
	sources []pageSource
	dir     string // holds the copy
	err     error
	failed  time.Time
	done    func() // removes the copy; nil after a failure

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
	if ok && oc.stale() {
		ok = false // try the store again
	}
	if ok {
		oc.users++
		if oc.idle != nil {
			oc.idle.Stop()
			oc.idle = nil
		}
	} else {
		oc = &originalCopy{ready: make(chan struct{}), users: 1}
		c.copies[key] = oc
	}
	c.mu.Unlock()

	if !ok {
		oc.fetch(func() ([]pageSource, string, func(), error) {
			return in.originalPages(ctx, rec)
		})
	}
	<-oc.ready
	release = func() { c.release(key, oc) }
	if oc.err != nil {
		release()
		return nil, nil, oc.err
	}
	// Another process clears copies an hour old (see cmd/sijil tempDir).
	now := time.Now()
	_ = os.Chtimes(oc.dir, now, now) // a failure only shortens its life
	return oc.sources, release, nil
}

// fetch fills the copy and closes ready. Its fields are written before
// ready closes and read only after, so that no lock is needed for them; a
// panic while splitting is a failure too, so that no one waits forever.
func (oc *originalCopy) fetch(get func() ([]pageSource, string, func(), error)) {
	defer close(oc.ready)
	oc.err = errors.New("archive: copying the original failed")
	defer func() {
		if oc.err != nil {
			oc.failed = time.Now()
		}
	}()
	oc.sources, oc.dir, oc.done, oc.err = get()
}

// stale reports a fetch that failed long enough ago to be tried again; a
// fetch still running is not stale. c.mu is held.
func (oc *originalCopy) stale() bool {
	select {
	case <-oc.ready:
		return oc.err != nil && time.Since(oc.failed) > originalFailKept
	default:
		return false
	}
}

// release ends a making's use of a copy, which is removed once it has been
// idle for originalIdle, or at once after DropOriginals.
func (c *originalCache) release(key string, oc *originalCopy) {
	c.mu.Lock()
	defer c.mu.Unlock()
	oc.users--
	if oc.users > 0 || oc.err != nil {
		return // a failure holds no files, and is replaced once stale
	}
	if c.dropping {
		c.remove(key, oc)
		return
	}
	oc.idle = time.AfterFunc(originalIdle, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if oc.users == 0 {
			c.remove(key, oc)
		}
	})
}

// remove deletes an unused copy; c.mu is held.
func (c *originalCache) remove(key string, oc *originalCopy) {
	if oc.idle != nil {
		oc.idle.Stop()
		oc.idle = nil
	}
	if c.copies[key] == oc {
		delete(c.copies, key)
	}
	if oc.done != nil {
		oc.done()
		oc.done = nil
	}
}

// DropOriginals removes the kept copies of originals now, and those in use
// as their last making ends. A command calls it as it finishes: the copies
// may be of restricted records, and would otherwise stay in the data
// folder's tmp until a process starting an hour later cleared them.
func DropOriginals() {
	c := &originals
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropping = true
	for key, oc := range c.copies {
		if oc.users == 0 {
			c.remove(key, oc)
		}
	}
}
