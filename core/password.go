package core

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// HashParams are argon2id parameters.
type HashParams struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// MinHashParams is the floor of PRODUCT.md §4: 19 MiB, 2 passes. Hashes below it are re-hashed
// at the next successful login; a service never hashes below it.
var MinHashParams = HashParams{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

var errBadHash = errors.New("malformed password hash")

// hashPassword returns the PHC string of an argon2id hash of password:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> (unpadded standard base64).
func hashPassword(password string, p HashParams) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	return phcString(p, salt, key), nil
}

// phcString writes an argon2id hash in PHC form.
func phcString(p HashParams, salt, key []byte) string {
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time,
		p.Threads, enc.EncodeToString(salt), enc.EncodeToString(key))
}

// dummyHash returns a hash at parameters p that no password matches: a random salt and a
// random key, with no hashing done. A login for an unknown email verifies a password against
// it, which costs exactly what verifying against a real hash at p costs — and making it costs
// nothing, so that no first login of a process pays for it.
func dummyHash(p HashParams) string {
	salt, key := make([]byte, saltLen), make([]byte, keyLen)
	_, _ = rand.Read(salt)
	_, _ = rand.Read(key)
	return phcString(p, salt, key)
}

type phc struct {
	params HashParams
	salt   []byte
	key    []byte
}

func parsePHC(s string) (phc, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return phc{}, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return phc{}, errBadHash
	}
	var h phc
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.params.Memory, &h.params.Time,
		&h.params.Threads); err != nil {
		return phc{}, errBadHash
	}
	// Bound the work a stored hash can ask for (a tampered file must not make login hang).
	if h.params.Memory == 0 || h.params.Memory > 4*1024*1024 || h.params.Time == 0 ||
		h.params.Time > 64 || h.params.Threads == 0 {
		return phc{}, errBadHash
	}
	var err error
	if h.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(h.salt) < 8 {
		return phc{}, errBadHash
	}
	if h.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 64 {
		return phc{}, errBadHash
	}
	return h, nil
}

// verifyPassword reports whether password matches the PHC hash, in constant time, and whether
// the hash should be replaced because its parameters are weaker than want.
func verifyPassword(password, hash string, want HashParams) (ok, rehash bool, err error) {
	h, err := parsePHC(hash)
	if err != nil {
		return false, false, err
	}
	key := argon2.IDKey([]byte(password), h.salt, h.params.Time, h.params.Memory, h.params.Threads,
		uint32(len(h.key)))
	ok = subtle.ConstantTimeCompare(key, h.key) == 1
	rehash = h.params.Memory < want.Memory || h.params.Time < want.Time || len(h.salt) < saltLen
	return ok, rehash, nil
}
