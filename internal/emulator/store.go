package emulator

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// appRecord is an app as PipesHub stores it: the public fields plus owner,
// soft-delete flag and secret (kept in clear: the emulator has no key to
// protect it with, and the secret never leaves except on create/regenerate).
type appRecord struct {
	appPublicFields
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	OrgID     string    `json:"orgId"`
	CreatedBy string    `json:"createdBy"`
	IsDeleted bool      `json:"isDeleted"`
	DeletedBy string    `json:"deletedBy,omitempty"`
	Secret    string    `json:"secret"`
	Seq       int64     `json:"seq"` // insertion order, breaks createdAt ties
}

// tokenRecord is an OAuthAccessToken document (internal/emulator/README.md §10.6).
type tokenRecord struct {
	ID         string     `json:"id"`
	TokenHash  string     `json:"tokenHash"`
	ClientID   string     `json:"clientId"`
	OrgID      string     `json:"orgId"`
	Scopes     []string   `json:"scopes"`
	ExpiresAt  time.Time  `json:"expiresAt"`
	IsRevoked  bool       `json:"isRevoked"`
	RevokedAt  *time.Time `json:"revokedAt,omitempty"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
	CreatedAt  time.Time  `json:"createdAt"`
	Seq        int64      `json:"seq"`
}

// state is everything the emulator remembers; it is what -data persists.
type state struct {
	Apps        []*appRecord   `json:"apps"`
	Tokens      []*tokenRecord `json:"tokens"`
	SlugCounter int64          `json:"slugCounter"`
	Seq         int64          `json:"seq"`
}

func (s *state) nextSeq() int64 { s.Seq++; return s.Seq }

// checkDataDir makes sure the data file can be written where it is to be,
// so that a missing or read-only directory fails at start with the reason
// instead of turning every later write into a 500.
func checkDataDir(path string) error {
	if path == "" {
		return nil
	}
	dir := filepath.Dir(path)
	probe, err := os.CreateTemp(dir, ".pipeshub-emulator-probe-*")
	if err != nil {
		return fmt.Errorf("data file %s cannot be written: %w", path, err)
	}
	name := probe.Name()
	return errors.Join(probe.Close(), os.Remove(name))
}

func loadState(path string) (*state, error) {
	st := &state{}
	if path == "" {
		return st, nil
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, st); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return st, nil
}

// save writes the state atomically: a temporary file in the same directory,
// then a rename, so a crash never leaves a half-written file.
func (s *state) save(path string) error {
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// timeLayout is how mongoose timestamps serialise: ISO-8601, ms, UTC.
const timeLayout = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

var objectIDCounter atomic.Uint32

// newObjectID makes a MongoDB ObjectId: 4 bytes of seconds, 5 random bytes,
// a 3-byte counter; 24 lowercase hex characters.
func newObjectID(now time.Time) string {
	var b [12]byte
	binary.BigEndian.PutUint32(b[:4], uint32(now.Unix()))
	_, _ = rand.Read(b[4:9])
	c := objectIDCounter.Add(1)
	b[9], b[10], b[11] = byte(c>>16), byte(c>>8), byte(c)
	return hex.EncodeToString(b[:])
}

// newUUID is crypto.randomUUID(): a version 4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newSecret is crypto.randomBytes(32).toString('hex').
func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
