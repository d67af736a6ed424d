package verify

import (
	"bytes"
	"fmt"
)

// LogEvidence is what a node holding the public log hands the verifier for
// one certificate: its issuance leaf, where it sits, the latest signed
// checkpoint and the inclusion proof against it.
type LogEvidence struct {
	Index      uint64
	Leaf       []byte
	Checkpoint []byte
	Proof      [][]byte
}

// checkLog checks that the certificate a decoded token signs was issued in
// the public log: the leaf at ev.Index is its issuance (same reference,
// digest, key and time), and the signed checkpoint's tree includes that
// leaf. A token that verifies but is not in the log was signed silently,
// so it is not genuine.
func (vf *Verifier) checkLog(d Decoded, ev LogEvidence) *LogVerdict {
	v := &LogVerdict{Checked: true, Index: ev.Index}
	entry, err := DecodeLogEntry(ev.Leaf)
	if err != nil {
		v.Reason = "the log entry is not well formed"
		return v
	}
	if entry.Op != OpIssue || entry.CertRef != CertRef(d.Claims.CertID()) ||
		!bytes.Equal(entry.Digest, d.Claims.Digest) || entry.KeyID != d.KeyID ||
		entry.Time != d.Claims.IssuedAt {
		v.Reason = "the log entry does not record this certificate's issuance"
		return v
	}

	cp, err := vf.checkpoint(ev.Checkpoint)
	if err != nil {
		v.Reason = "the log checkpoint is not signed by the municipality's log key"
		return v
	}
	v.TreeSize = cp.Size
	err = VerifyInclusion(LeafHash(ev.Leaf), ev.Index, cp.Size, ev.Proof, cp.Root)
	if err != nil {
		v.Reason = fmt.Sprintf("the log does not include entry %d", ev.Index)
		return v
	}
	v.Included = true
	return v
}

// ApplyLog records the log verdict in the result; a certificate missing
// from the log is not genuine, whatever its signature says.
func (r *Result) ApplyLog(v *LogVerdict) {
	r.Log = v
	if v.Included || r.Status == StatusInvalid {
		return
	}
	r.Status, r.Current = StatusInvalid, false
	r.ReasonKey = "verify.not_logged"
	r.Reason = "The certificate is not in the municipality's public issuance log: " + v.Reason
}

// ApplyRevocation records that the certificate stopped being current.
func (r *Result) ApplyRevocation(rev Revocation) {
	if r.Status != StatusValid {
		return
	}
	r.Status, r.Current, r.Revocation = rev.Status, false, &rev
	r.ReasonKey = "verify." + string(rev.Status)
	r.Reason = fmt.Sprintf("The certificate was %s on %s (%s).", rev.Status,
		rev.When(), rev.Reason)
	if rev.ReplacedBy != "" {
		r.Reason += " It was replaced by certificate " + rev.ReplacedBy + "."
	}
}

// PeekCheckpoint reads a checkpoint's size and root WITHOUT checking its
// signature, so a node can ask its log for a proof against it; CheckLog
// checks the signature before anything is trusted.
func PeekCheckpoint(signedNote []byte) (Checkpoint, error) {
	body, _, ok := bytes.Cut(signedNote, []byte("\n\n"))
	if !ok {
		return Checkpoint{}, fmt.Errorf("%w: no signature block", ErrCheckpoint)
	}
	c, err := parseCheckpointText(string(body) + "\n")
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	return c, nil
}

// checkpoint parses and checks a signed checkpoint, remembering the last
// one: every verification until the log grows brings the same note, and
// checking its signature each time would double the cost of a check.
func (vf *Verifier) checkpoint(signed []byte) (Checkpoint, error) {
	vf.mu.Lock()
	if vf.lastNote != nil && bytes.Equal(vf.lastNote, signed) {
		cp := vf.lastCheckpoint
		vf.mu.Unlock()
		return cp, nil
	}
	vf.mu.Unlock()

	cp, err := ParseCheckpoint(signed, vf.LogKey)
	if err != nil {
		return Checkpoint{}, err
	}
	vf.mu.Lock()
	vf.lastNote, vf.lastCheckpoint = bytes.Clone(signed), cp
	vf.mu.Unlock()
	return cp, nil
}
