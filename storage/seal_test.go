package storage

import (
	"bytes"
	"testing"

	"github.com/google/uuid"
)

func TestSealer_Open(t *testing.T) {
	c := sampleClient()
	key := c.ID[:]
	payload := encodeClient(c, 7)
	v := seal(bucketClients, key, payload)
	t.Run("OK", func(t *testing.T) {
		got, err := open(bucketClients, key, v)
		if err != nil || !bytes.Equal(got, payload) || len(v) != len(payload)+sealLen {
			t.Fatalf("open: %x, %v", got, err)
		}
		if got, err := open(bucketClients, []byte("k"), seal(bucketClients, []byte("k"), nil)); err != nil || len(got) != 0 {
			t.Fatalf("empty payload: %x, %v", got, err)
		}
	})
	t.Run("ErrEveryBitFlip", func(t *testing.T) {
		for i := range 8 * len(v) {
			d := bytes.Clone(v)
			d[i/8] ^= 1 << (i % 8)
			if _, err := open(bucketClients, key, d); err != errSealBroken {
				t.Fatalf("bit %d flipped: %v", i, err)
			}
		}
	})
	t.Run("ErrOtherKey", func(t *testing.T) {
		other := uuid.New()
		if _, err := open(bucketClients, other[:], v); err != errSealBroken {
			t.Fatalf("under another key: %v", err)
		}
	})
	t.Run("ErrOtherBucket", func(t *testing.T) {
		if _, err := open(bucketUsers, key, v); err != errSealBroken {
			t.Fatalf("in another bucket: %v", err)
		}
	})
	t.Run("ErrShort", func(t *testing.T) {
		for n := range sealLen {
			if _, err := open(bucketClients, key, v[:n]); err != errSealBroken {
				t.Fatalf("%d bytes: %v", n, err)
			}
		}
	})
}

// BenchmarkSealOpen is the cost of checking the seal of a stored client on read: the price of
// integrity for each record a scan visits.
func BenchmarkSealOpen(b *testing.B) {
	c := sampleClient()
	v := clientsTable.seal.seal(c.ID[:], encodeClient(c, 0))
	b.SetBytes(int64(len(v)))
	for b.Loop() {
		if _, err := clientsTable.seal.open(c.ID[:], v); err != nil {
			b.Fatal(err)
		}
	}
}
