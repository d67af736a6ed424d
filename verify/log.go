package verify

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// The operations recorded in the issuance log. They are part of the public
// log format: never rename them.
const (
	OpIssue     = "issue"
	OpRevoke    = "revoke"
	OpSupersede = "supersede"
)

// ErrLogEntry is wrapped by every error about a log entry that is not well
// formed.
var ErrLogEntry = errors.New("malformed issuance log entry")

// ErrCheckpoint is wrapped by every error about a checkpoint that is not
// genuine or not well formed.
var ErrCheckpoint = errors.New("bad issuance log checkpoint")

// ErrProof is wrapped by every error about a Merkle proof that does not
// prove what it claims.
var ErrProof = errors.New("issuance log proof does not verify")

// LogEntry is one leaf of the public issuance log: an issuance, revocation
// or supersession. It holds references and digests only, never a holder's
// name or national ID, nor even a certificate number (which would let
// anyone look the certificate up), because anyone may read the whole log.
type LogEntry struct {
	Op       string `cbor:"1,keyasint"`
	CertRef  string `cbor:"2,keyasint"`           // CertRef of the certificate number
	Digest   []byte `cbor:"3,keyasint"`           // SHA-256 of the content or revocation record
	KeyID    string `cbor:"4,keyasint"`           // the key that signed the certificate
	Time     int64  `cbor:"5,keyasint"`           // Unix seconds, UTC
	Replaces string `cbor:"6,keyasint,omitempty"` // supersede only: the old one's CertRef
}

// Encode checks the entry and returns its canonical CBOR encoding, the
// bytes that are hashed into the log.
func (e LogEntry) Encode() ([]byte, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	data, err := Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode log entry: %w", err)
	}
	return data, nil
}

// DecodeLogEntry reads a leaf of the log. It refuses anything but the
// canonical encoding of a well-formed entry, so that one entry has exactly
// one leaf hash.
func DecodeLogEntry(data []byte) (LogEntry, error) {
	var e LogEntry
	if err := unmarshalCanonical(data, &e); err != nil {
		return LogEntry{}, fmt.Errorf("%w: %w", ErrLogEntry, err)
	}
	if err := e.check(); err != nil {
		return LogEntry{}, err
	}
	return e, nil
}

func (e LogEntry) check() error {
	switch {
	case e.Op != OpIssue && e.Op != OpRevoke && e.Op != OpSupersede:
		return fmt.Errorf("%w: unknown operation %q", ErrLogEntry, e.Op)
	case e.CertRef == "" || e.KeyID == "":
		return fmt.Errorf("%w: certificate id and key id are required", ErrLogEntry)
	case len(e.Digest) != sha256.Size:
		return fmt.Errorf("%w: digest is %d bytes, want %d", ErrLogEntry,
			len(e.Digest), sha256.Size)
	case e.Time <= 0:
		return fmt.Errorf("%w: time must be set", ErrLogEntry)
	case (e.Op == OpSupersede) != (e.Replaces != ""):
		return fmt.Errorf("%w: a supersession, and only a supersession, names "+
			"the certificate it replaces", ErrLogEntry)
	}
	return nil
}

// CertRef is how public lists (the log, the revocation list) name a
// certificate: a hash of its printed number. Whoever holds the paper can
// compute it; nobody can turn it back into a number to look up.
func CertRef(printedID string) string {
	sum := sha256.Sum256([]byte("sijil/cert-ref/v1\x00" + printedID))
	return hex.EncodeToString(sum[:16])
}

// LeafHash returns the RFC 6962 hash of an encoded entry: SHA-256 over a
// zero byte and the entry, so that a leaf can never pass as an inner node.
func LeafHash(encoded []byte) []byte {
	return rfc6962.DefaultHasher.HashLeaf(encoded)
}

// Checkpoint is a signed statement of the log's size and root hash, in the
// C2SP tlog-checkpoint format. Everyone who sees the same checkpoint sees
// the same log.
type Checkpoint struct {
	Origin string // names the log; equal to the signing key's name
	Size   uint64 // number of leaves
	Root   []byte // RFC 6962 root hash of the first Size leaves
}

// Text returns the checkpoint body that is signed: origin, size and base64
// root hash, one a line.
func (c Checkpoint) Text() string {
	return c.Origin + "\n" + strconv.FormatUint(c.Size, 10) + "\n" +
		base64.StdEncoding.EncodeToString(c.Root) + "\n"
}

// ParseCheckpoint checks that a signed note carries a valid signature by
// the verifier key (a note verifier key, "name+hash+keydata") and returns
// the checkpoint it states. The origin must be the key's name, so that a
// key shared by two logs cannot make one log's checkpoint pass for the
// other's.
func ParseCheckpoint(signedNote []byte, verifierKey string) (Checkpoint, error) {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: verifier key: %w", ErrCheckpoint, err)
	}
	n, err := note.Open(signedNote, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	if len(n.Sigs) == 0 {
		return Checkpoint{}, fmt.Errorf("%w: not signed by the log key", ErrCheckpoint)
	}

	c, err := parseCheckpointText(n.Text)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("%w: origin %q is not the key's name %q",
			ErrCheckpoint, c.Origin, v.Name())
	}
	return c, nil
}

// parseCheckpointText reads the three lines of a checkpoint body. Extension
// lines after them are ignored, as the format allows.
func parseCheckpointText(text string) (Checkpoint, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 || lines[0] == "" {
		return Checkpoint{}, errors.New("want origin, size and root lines")
	}

	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != lines[1] {
		return Checkpoint{}, fmt.Errorf("size %q is not a decimal number", lines[1])
	}
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(root) != sha256.Size {
		return Checkpoint{}, fmt.Errorf("root %q is not a base64 SHA-256 hash", lines[2])
	}
	return Checkpoint{Origin: lines[0], Size: size, Root: root}, nil
}

// VerifyInclusion checks that the leaf hash is at index in the tree of the
// given size whose root hash is root.
func VerifyInclusion(leafHash []byte, index, size uint64, proofHashes [][]byte,
	root []byte) error {
	if len(leafHash) != sha256.Size {
		return fmt.Errorf("%w: leaf hash is %d bytes", ErrProof, len(leafHash))
	}
	err := proof.VerifyInclusion(rfc6962.DefaultHasher, index, size, leafHash,
		proofHashes, root)
	if err != nil {
		return fmt.Errorf("%w: inclusion of leaf %d in size %d: %w", ErrProof,
			index, size, err)
	}
	return nil
}

// VerifyConsistency checks that the tree of size2 with root2 extends the
// tree of size1 with root1: the log only grew, nothing in it was changed.
func VerifyConsistency(size1, size2 uint64, proofHashes [][]byte, root1, root2 []byte) error {
	err := proof.VerifyConsistency(rfc6962.DefaultHasher, size1, size2, proofHashes,
		root1, root2)
	if err != nil {
		return fmt.Errorf("%w: consistency of size %d with %d: %w", ErrProof,
			size1, size2, err)
	}
	return nil
}
