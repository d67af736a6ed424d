package audit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// genesis is the hash the first event chains to.
var genesis = strings.Repeat("0", 64)

// chainHash is the SHA-256 of a version tag, the previous event's hash and
// every field of e, each prefixed by its length so that moving bytes from
// one field to the next changes the hash.
func chainHash(prev, at string, e Event) string {
	h := sha256.New()
	h.Write([]byte("sijil-audit-v1"))
	var n [4]byte
	for _, f := range []string{prev, strconv.FormatInt(e.Seq, 10), at,
		e.ActorID, e.ActorRole, e.Action, e.ObjectKind, e.ObjectID, e.RequestID, e.Detail} {
		binary.BigEndian.PutUint32(n[:], uint32(len(f)))
		h.Write(n[:])
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Head is where the chain ends: the last event's number and hash. Written
// down outside the database (a printed report, a signed note), a head lets
// Verify later prove that nothing up to it was rewritten, even by someone
// who recomputed every hash after it.
type Head struct {
	Seq  int64
	Hash string
}

// HeadOf returns the chain's current head; Seq is 0 while it is empty.
func HeadOf(ctx context.Context, q Queryer) (Head, error) {
	var h Head
	err := q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).
		Scan(&h.Seq, &h.Hash)
	if err != nil {
		return Head{}, fmt.Errorf("audit: read the head: %w", err)
	}
	return h, nil
}

// The kinds of Problem Verify reports.
const (
	ProblemMissing  = "missing"  // events with these numbers are gone
	ProblemAltered  = "altered"  // the event's content no longer matches its hash
	ProblemRelinked = "relinked" // the event no longer chains to the one before
	ProblemHead     = "head"     // the head does not name the last event: rows cut or added
	ProblemAnchor   = "anchor"   // the event differs from a head written down earlier
)

// Problem is one break in the chain.
type Problem struct {
	Seq    int64 // the first event concerned
	Kind   string
	Detail string
}

// Report is what Verify found. The chain is intact when Problems is
// empty.
type Report struct {
	Checked  int64 // events read
	Head     Head  // as the head row says
	Problems []Problem
	// More counts the problems found beyond the first maxProblems, which
	// alone are listed, so that a wrecked chain does not fill the memory.
	More int
}

const maxProblems = 100

func (r *Report) add(p Problem) {
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, p)
		return
	}
	r.More++
}

// verifyPage is how many events Verify reads per query.
const verifyPage = 1000

// Verify walks the whole chain and reports each event that was deleted,
// edited or moved, and a head that does not match the last event. Each
// anchor, a head noted earlier, must still be an event of the chain with
// that hash: that catches even a chain rewritten and re-hashed from some
// point on. Verify reads in pages, so its memory does not grow with the
// chain.
func Verify(ctx context.Context, q Queryer, anchors ...Head) (Report, error) {
	var rep Report
	head, err := HeadOf(ctx, q)
	if err != nil {
		return rep, err
	}
	rep.Head = head
	want := make(map[int64]string, len(anchors))
	for _, a := range anchors {
		want[a.Seq] = a.Hash
	}

	last := Head{Seq: 0, Hash: genesis}
	for {
		links, err := chainPage(ctx, q, last.Seq)
		if err != nil {
			return rep, err
		}
		for _, l := range links {
			e := l.Event
			checkLink(&rep, last, l)
			if h, ok := want[e.Seq]; ok {
				if h != e.Hash {
					rep.add(Problem{e.Seq, ProblemAnchor, "the event's hash is not the one " +
						"noted for it: the chain was rewritten up to here"})
				}
				delete(want, e.Seq)
			}
			last = Head{Seq: e.Seq, Hash: e.Hash}
		}
		rep.Checked += int64(len(links))
		if len(links) < verifyPage {
			break
		}
	}

	if last != head {
		rep.add(Problem{last.Seq, ProblemHead, fmt.Sprintf("the last event is %d but the "+
			"head names %d: events were cut from the end or added around Append",
			last.Seq, head.Seq)})
	}
	for seq := range want {
		rep.add(Problem{seq, ProblemAnchor, "an event noted earlier is gone"})
	}
	return rep, nil
}

// checkLink checks one event against the one read before it.
func checkLink(rep *Report, before Head, l link) {
	e := l.Event
	gap := e.Seq != before.Seq+1
	if gap {
		rep.add(Problem{before.Seq + 1, ProblemMissing,
			fmt.Sprintf("events %d to %d are missing", before.Seq+1, e.Seq-1)})
	}
	if chainHash(l.prev, l.at, e) != e.Hash {
		rep.add(Problem{e.Seq, ProblemAltered,
			"the event's content does not match its hash: it was edited"})
	}
	// After a gap the link is broken anyway; one problem says it.
	if !gap && l.prev != before.Hash {
		rep.add(Problem{e.Seq, ProblemRelinked, fmt.Sprintf("the event does not chain to "+
			"event %d: that one was edited and re-hashed, or replaced", before.Seq)})
	}
}

// link is an event as stored: its time as text, since the hash covers the
// text, and the previous hash it names.
type link struct {
	Event
	at, prev string
}

// chainPage reads the events after seq in chain order.
func chainPage(ctx context.Context, q Queryer, after int64) ([]link, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, at, actor_id, actor_role, action,
		object_kind, object_id, request_id, detail, hash, prev_hash FROM audit_events
		WHERE seq > $1 ORDER BY seq LIMIT $2`, after, verifyPage)
	if err != nil {
		return nil, fmt.Errorf("audit: read events after %d: %w", after, err)
	}
	defer rows.Close()
	var links []link
	for rows.Next() {
		var l link
		err := rows.Scan(&l.Seq, &l.at, &l.ActorID, &l.ActorRole, &l.Action, &l.ObjectKind,
			&l.ObjectID, &l.RequestID, &l.Detail, &l.Hash, &l.prev)
		if err != nil {
			return nil, fmt.Errorf("audit: read an event after %d: %w", after, err)
		}
		links = append(links, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: read events after %d: %w", after, err)
	}
	return links, nil
}
