package verify

import (
	"encoding/json"
	"fmt"
	"time"
)

// Bundle is the offline trust bundle: everything a verifier with no
// connection needs, in one small signed file that can travel on a USB
// stick. Each part is also signed on its own, as published.
type Bundle struct {
	Issuer      string          `json:"issuer"`
	MadeAt      int64           `json:"made_at"`
	KeySet      json.RawMessage `json:"key_set"`     // a signed key set document
	Revocations json.RawMessage `json:"revocations"` // a signed revocation list
	Checkpoint  string          `json:"checkpoint"`  // the log's latest signed checkpoint
}

// Trust is what a verifier knows from an opened bundle.
type Trust struct {
	Keys        *KeySet
	Revocations *RevocationList
	Checkpoint  Checkpoint
	LogKey      string
	MadeAt      time.Time
}

// ReadBundle opens a bundle. Without trusted keys (a key set the verifier
// already holds) the bundle must be signed by a key of its own key set,
// which proves only that it was not altered since it was made.
func ReadBundle(data []byte, trusted *KeySet) (*Trust, error) {
	var raw SignedDoc
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("read bundle: %w", err)
	}
	var b Bundle
	if err := json.Unmarshal(raw.Payload, &b); err != nil {
		return nil, fmt.Errorf("read bundle: %w", err)
	}

	ks, err := ReadSignedKeySet(b.KeySet, trusted)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	if _, err := OpenDoc(DomainBundle, data, ks); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	rl, err := ReadRevocationList(b.Revocations, ks)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	cp, err := ParseCheckpoint([]byte(b.Checkpoint), ks.LogKey)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return &Trust{Keys: ks, Revocations: rl, Checkpoint: cp, LogKey: ks.LogKey,
		MadeAt: time.Unix(b.MadeAt, 0).UTC()}, nil
}
