package storage

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// Every value of every bucket (records, audit entries, index entries, local state) is stored
// sealed: its payload followed by the CRC-32C (Castagnoli) of the bucket's name, the key and the
// payload, 4 bytes big-endian. bbolt checks its meta pages but not the values; the seal makes a
// changed bit in a value, or a value copied under another key or into another bucket, show as
// damage instead of as data. The one exception is meta's schema_version, which older programs
// must be able to read as 8 plain bytes; its seal is kept beside it (metaSchemaSeal).

// sealLen is the size of a seal.
const sealLen = 4

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errSealBroken is the error of a value whose seal does not match.
var errSealBroken = errors.New("checksum mismatch")

// sealer computes the seals of one bucket; the CRC of its name is computed once.
type sealer struct {
	name []byte
	base uint32
}

func newSealer(name []byte) sealer {
	return sealer{name: name, base: crc32.Update(0, castagnoli, name)}
}

func (s sealer) sum(key, payload []byte) uint32 {
	return crc32.Update(crc32.Update(s.base, castagnoli, key), castagnoli, payload)
}

// seal returns payload‖crc in a new slice.
func (s sealer) seal(key, payload []byte) []byte {
	v := make([]byte, len(payload), len(payload)+sealLen)
	copy(v, payload)
	return binary.BigEndian.AppendUint32(v, s.sum(key, payload))
}

// open checks the seal of a stored value and returns its payload (sharing v's memory).
func (s sealer) open(key, v []byte) ([]byte, error) {
	if len(v) < sealLen {
		return nil, errSealBroken
	}
	n := len(v) - sealLen
	if binary.BigEndian.Uint32(v[n:]) != s.sum(key, v[:n]) {
		return nil, errSealBroken
	}
	return v[:n:n], nil
}

// seal and open for buckets without a sealer at hand.
func seal(bucket, key, payload []byte) []byte { return newSealer(bucket).seal(key, payload) }

func open(bucket, key, v []byte) ([]byte, error) { return newSealer(bucket).open(key, v) }
