package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// The primitives of the value encoding (see encoding.go for the records built from them):
//
//	string, bytes  uvarint length, then the bytes
//	uuid           16 raw bytes
//	bool           one byte, 0 or 1
//	int            zig-zag varint; uint: uvarint
//	time           one tag byte: 0 zero time; 1 then varint UnixNano; 2 then varint Unix seconds
//	               and uvarint nanoseconds (times outside the UnixNano range, years 1678–2262)
//	decimal        one tag byte: 0 then varint coefficient and varint exponent; 1 then a sign
//	               byte, the big-endian magnitude as bytes, and varint exponent
//
// Decoding never panics: a short, long or malformed input gives an error.

const (
	timeZero  = 0
	timeNano  = 1
	timeSplit = 2

	decimalSmall = 0
	decimalBig   = 1

	// maxDecimalBytes bounds the magnitude of a decoded big decimal (far above any amount).
	maxDecimalBytes = 64
)

var errTruncated = errors.New("truncated value")

// encoder appends encoded fields to b.
type encoder struct{ b []byte }

func (e *encoder) byte(v byte)       { e.b = append(e.b, v) }
func (e *encoder) uvarint(v uint64)  { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) varint(v int64)    { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) uuid(id uuid.UUID) { e.b = append(e.b, id[:]...) }

func (e *encoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *encoder) bool(v bool) {
	if v {
		e.byte(1)
	} else {
		e.byte(0)
	}
}

func (e *encoder) time(t time.Time) {
	switch {
	case t.IsZero():
		e.byte(timeZero)
	case nanoRange(t):
		e.byte(timeNano)
		e.varint(t.UnixNano())
	default:
		e.byte(timeSplit)
		e.varint(t.Unix())
		e.uvarint(uint64(t.Nanosecond()))
	}
}

// minNanoSec and maxNanoSec bound the Unix seconds whose UnixNano fits an int64.
const (
	minNanoSec = math.MinInt64/int64(time.Second) + 1
	maxNanoSec = math.MaxInt64/int64(time.Second) - 1
)

func nanoRange(t time.Time) bool {
	s := t.Unix()
	return s >= minNanoSec && s <= maxNanoSec
}

func (e *encoder) decimal(d decimal.Decimal) {
	c := d.Coefficient()
	if c.IsInt64() {
		e.byte(decimalSmall)
		e.varint(c.Int64())
		e.varint(int64(d.Exponent()))
		return
	}
	e.byte(decimalBig)
	e.bool(c.Sign() < 0)
	mag := c.Bytes()
	e.uvarint(uint64(len(mag)))
	e.b = append(e.b, mag...)
	e.varint(int64(d.Exponent()))
}

// decoder reads fields from b. The first failure sticks: later reads return zero values and
// err says what went wrong first.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = corrupt(err)
	}
	d.b = nil
}

func (d *decoder) byte() byte {
	if len(d.b) < 1 {
		d.fail(errTruncated)
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errors.New("bad uvarint"))
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(errors.New("bad varint"))
		return 0
	}
	d.b = d.b[n:]
	return v
}

// bytes returns a length-prefixed field, sharing memory with the input.
func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail(errTruncated)
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string { return string(d.bytes()) }

func (d *decoder) bool() bool {
	switch d.byte() {
	case 0:
		return false
	case 1:
		return true
	default:
		d.fail(errors.New("bad bool"))
		return false
	}
}

func (d *decoder) uuid() uuid.UUID {
	var id uuid.UUID
	if len(d.b) < len(id) {
		d.fail(errTruncated)
		return id
	}
	copy(id[:], d.b)
	d.b = d.b[len(id):]
	return id
}

func (d *decoder) int() int {
	v := d.varint()
	if int64(int(v)) != v {
		d.fail(errors.New("int out of range"))
		return 0
	}
	return int(v)
}

func (d *decoder) uint32() uint32 {
	v := d.uvarint()
	if v > math.MaxUint32 {
		d.fail(errors.New("uint32 out of range"))
		return 0
	}
	return uint32(v)
}

func (d *decoder) time() time.Time {
	switch tag := d.byte(); tag {
	case timeZero:
		return time.Time{}
	case timeNano:
		return time.Unix(0, d.varint()).UTC()
	case timeSplit:
		sec, nsec := d.varint(), d.uvarint()
		if nsec >= uint64(time.Second) {
			d.fail(errors.New("bad nanoseconds"))
			return time.Time{}
		}
		return time.Unix(sec, int64(nsec)).UTC()
	default:
		d.fail(fmt.Errorf("bad time tag %d", tag))
		return time.Time{}
	}
}

// rawDecimal skips a decimal and returns its encoded bytes, to be decoded by decimalOf only
// when needed, and its sign.
func (d *decoder) rawDecimal() (raw []byte, sign int) {
	start := d.b
	switch tag := d.byte(); tag {
	case decimalSmall:
		sign = signOf(d.varint())
	case decimalBig:
		if d.bool() {
			sign = -1
		} else {
			sign = 1
		}
		mag := d.bytes()
		if len(mag) > maxDecimalBytes || len(mag) == 0 || mag[0] == 0 {
			d.fail(errors.New("bad decimal magnitude"))
		}
	default:
		d.fail(fmt.Errorf("bad decimal tag %d", tag))
	}
	if exp := d.varint(); exp < math.MinInt32 || exp > math.MaxInt32 {
		d.fail(errors.New("decimal exponent out of range"))
	}
	if d.err != nil {
		return nil, 0
	}
	return start[:len(start)-len(d.b)], sign
}

func signOf(v int64) int {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}

func (d *decoder) decimal() decimal.Decimal {
	raw, _ := d.rawDecimal()
	return decimalOf(raw)
}

// decimalOf decodes bytes that rawDecimal validated.
func decimalOf(raw []byte) decimal.Decimal {
	if raw == nil {
		return decimal.Decimal{}
	}
	d := decoder{b: raw[1:]}
	if raw[0] == decimalSmall {
		v, exp := d.varint(), d.varint()
		return decimal.New(v, int32(exp))
	}
	neg := d.bool()
	c := new(big.Int).SetBytes(d.bytes())
	if neg {
		c.Neg(c)
	}
	return decimal.NewFromBigInt(c, int32(d.varint()))
}

// skip passes over n bytes.
func (d *decoder) skip(n int) {
	if len(d.b) < n {
		d.fail(errTruncated)
		return
	}
	d.b = d.b[n:]
}

// skipVarint passes over a varint or uvarint without decoding it.
func (d *decoder) skipVarint() {
	for i := 0; i < len(d.b) && i < binary.MaxVarintLen64; i++ {
		if d.b[i] < 0x80 {
			d.b = d.b[i+1:]
			return
		}
	}
	d.fail(errors.New("bad varint"))
}

// skipTime passes over a time without decoding it.
func (d *decoder) skipTime() {
	switch tag := d.byte(); tag {
	case timeZero:
	case timeNano:
		d.skipVarint()
	case timeSplit:
		d.skipVarint()
		d.skipVarint()
	default:
		d.fail(fmt.Errorf("bad time tag %d", tag))
	}
}

// finish reports the first error, or an error when bytes are left over.
func (d *decoder) finish() error {
	if d.err == nil && len(d.b) != 0 {
		d.err = corrupt(fmt.Errorf("%d trailing bytes", len(d.b)))
	}
	return d.err
}
