package storage

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/epicevents/crm/core"
)

var edgeTimes = []time.Time{
	{},
	time.Unix(0, 0).UTC(),
	t0,
	time.Date(1500, 6, 1, 12, 0, 0, 999999999, time.UTC),
	time.Date(9999, 12, 31, 23, 59, 59, 1, time.UTC),
	time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), // not zero, just after it
	time.Unix(0, math.MinInt64).UTC(),
	time.Unix(0, math.MaxInt64).UTC(),
}

// roundTrip encodes v with encode and decodes it with decode, which must read every byte.
func roundTrip[T any](t *testing.T, v T, encode func(*encoder, T), decode func(*decoder) T) T {
	t.Helper()
	e := encoder{}
	encode(&e, v)
	d := decoder{b: e.b}
	got := decode(&d)
	if err := d.finish(); err != nil {
		t.Fatalf("%v: %v", v, err)
	}
	return got
}

func TestEncoding_Time(t *testing.T) {
	for _, want := range append(edgeTimes, t0.In(time.FixedZone("CET", 3600))) {
		got := roundTrip(t, want, (*encoder).time, (*decoder).time)
		if !got.Equal(want) || got.Location() != time.UTC || got.IsZero() != want.IsZero() {
			t.Errorf("got %v, want %v", got, want)
		}
		if want.IsZero() && got != (time.Time{}) {
			t.Errorf("zero time decoded as %#v", got)
		}
	}
}

func TestEncoding_Decimal(t *testing.T) {
	big, _ := decimal.NewFromString("123456789012345678901234567890.123456789")
	for _, want := range []decimal.Decimal{
		decimal.Zero, decimal.RequireFromString("0.00"), decimal.RequireFromString("15000.00"),
		decimal.RequireFromString("999999999.99"), decimal.RequireFromString("-12.5"),
		decimal.New(math.MaxInt64, -2), decimal.New(math.MinInt64, 3), big, big.Neg(),
	} {
		got := roundTrip(t, want, (*encoder).decimal, (*decoder).decimal)
		if !sameDecimal(got, want) {
			t.Errorf("got %v (exp %d), want %v (exp %d)", got, got.Exponent(), want, want.Exponent())
		}
	}
}

func TestEncoding_Records(t *testing.T) {
	u := *newUser("anne@example.com", "EE000001", core.Management)
	u.FullName, u.Active = "Zoë Ça", false
	gotU, err := userKind.decode(encodeUser(&u, math.MaxUint64))
	u.ID = uuid.Nil
	if err != nil || gotU != u {
		t.Errorf("user: %+v, %v", gotU, err)
	}

	c := *newClient("Kevin", "k@example.com", uuid.New())
	c.Notes = strings.Repeat("é", 10000)
	gotC, err := clientKind.decode(encodeClient(&c, 0))
	c.ID = uuid.Nil
	if err != nil || gotC != c {
		t.Errorf("client: %+v, %v", gotC, err)
	}

	k := *newContract(&c, "999999999.99", "0.01", core.Cancelled)
	k.SignedAt = edgeTimes[3]
	gotK, err := contractKind.decode(encodeContract(&k, 0))
	k.ID = uuid.Nil
	if err != nil || !sameContract(gotK, k) {
		t.Errorf("contract: %+v, %v", gotK, err)
	}

	ev := *newEvent(&k, "", edgeTimes[4], uuid.Nil)
	ev.Attendees, ev.End = -1, time.Time{}
	gotE, err := eventKind.decode(encodeEvent(&ev, 0))
	ev.ID = uuid.Nil
	if err != nil || gotE != ev {
		t.Errorf("event: %+v, %v", gotE, err)
	}

	a := core.AuditEntry{At: t0, ActorID: uuid.New(), Action: "x", Record: core.EventRecord, RecordID: uuid.New(), Fields: []string{"", "name"},
		Origin: uuid.New(), Rev: 1 << 40}
	gotA, err := decodeAudit(encodeAudit(&a))
	if err != nil || !sameAudit(gotA, a) {
		t.Errorf("audit: %+v, %v", gotA, err)
	}
	plain := encodeAudit(&a)
	a.Count = 150000 // a backup's or an export's: an optional last field
	if gotA, err := decodeAudit(encodeAudit(&a)); err != nil || !sameAudit(gotA, a) {
		t.Errorf("audit with a count: %+v, %v", gotA, err)
	}
	if a.Count = 0; !bytes.Equal(encodeAudit(&a), plain) {
		t.Error("an entry without a count is not encoded as before")
	}

	th := core.Throttle{Failures: 7, LockedUntil: t0}
	gotT, err := decodeThrottle(encodeThrottle(th))
	if err != nil || gotT != th {
		t.Errorf("throttle: %+v, %v", gotT, err)
	}
}

func TestEncoding_Errors(t *testing.T) {
	valid := encodeClient(newClient("Kevin", "k@example.com", uuid.New()), 0)
	for name, b := range map[string][]byte{
		"Empty":          nil,
		"UnknownVersion": append([]byte{3}, valid[1:]...),
		"Truncated":      valid[:len(valid)-1],
		"Trailing":       append(bytes.Clone(valid), 0),
		"HugeLength":     append([]byte{formatV1}, append(make([]byte, 16), 0xff, 0xff, 0xff, 0xff, 0x0f)...),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := clientKind.decode(b); err == nil {
				t.Error("decoded")
			}
		})
	}
}

// decoders decode and re-encode each kind of record value, for the fuzz tests.
var decoders = []func([]byte) ([]byte, error){
	userKind.reencode,
	clientKind.reencode,
	contractKind.reencode,
	eventKind.reencode,
	func(b []byte) ([]byte, error) { v, err := decodeAudit(b); return encodeAudit(&v), err },
	func(b []byte) ([]byte, error) { v, err := decodeThrottle(b); return encodeThrottle(v), err },
}

// checkRoundTrip decodes arbitrary bytes: no panic, and whatever decodes re-encodes to a value
// that decodes to the same encoding.
func checkRoundTrip(t *testing.T, decode func([]byte) ([]byte, error), b []byte) {
	again, err := decode(b)
	if err != nil {
		return
	}
	third, err := decode(again)
	if err != nil {
		t.Fatalf("re-encoded value does not decode: %v", err)
	}
	if !bytes.Equal(again, third) {
		t.Fatalf("round trip changed the value:\n%x\n%x", again, third)
	}
}

func FuzzDecodeClient(f *testing.F) {
	c := newClient("Kevin Casey", "kevin@startup.io", uuid.New())
	f.Add(encodeClient(c, 0))
	c.Notes, c.CreatedAt = "", time.Time{}
	f.Add(encodeClient(c, 0))
	c.UpdatedAt = edgeTimes[4]
	f.Add(encodeClient(c, 0))
	f.Add([]byte{})
	f.Add([]byte{formatV1})
	f.Add([]byte{formatV1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		checkRoundTrip(t, decoders[1], b)
		var cf clientFields
		if err := cf.parse(b); err == nil {
			newMatcher("é").any(cf.fullName, cf.email, cf.companyName, cf.phone)
		}
	})
}

func FuzzDecodeRecords(f *testing.F) {
	k := newContract(newClient("K", "k@x", uuid.New()), "15000.00", "0", core.Signed)
	f.Add(uint8(0), encodeUser(newUser("a@b", "EE000001", core.Support), 0))
	f.Add(uint8(2), encodeContract(k, 0))
	k.Total = decimal.RequireFromString("123456789012345678901234567890")
	f.Add(uint8(2), encodeContract(k, 0))
	f.Add(uint8(3), encodeEvent(newEvent(k, "Gala", edgeTimes[3], uuid.New()), 0))
	f.Add(uint8(4), encodeAudit(&core.AuditEntry{At: t0, Action: "create", Fields: []string{"a", "b"}}))
	f.Add(uint8(4), []byte{formatV1, 0, 0, 0})
	f.Add(uint8(4), encodeAudit(&core.AuditEntry{At: t0, Action: "export", Record: core.ClientRecord, Count: 42}))
	f.Add(uint8(5), encodeThrottle(core.Throttle{Failures: 3, LockedUntil: t0}))
	f.Fuzz(func(t *testing.T, kind uint8, b []byte) {
		checkRoundTrip(t, decoders[int(kind)%len(decoders)], b)
	})
}

// sampleClient is a typical client for the benchmarks.
func sampleClient() *core.Client {
	c := newClient("Kevin Casey", "kevin.casey@startup.io", uuid.New())
	c.CompanyName, c.Notes = "Cool Startup LLC", "Wants a launch party in June; prefers Lyon. Call after 2 pm."
	return c
}

func BenchmarkEncodeClient(b *testing.B) {
	c := sampleClient()
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = len(encodeClient(c, 0))
	}
	b.ReportMetric(float64(n), "bytes/record")
}

func BenchmarkDecodeClient(b *testing.B) {
	v := encodeClient(sampleClient(), 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := clientKind.decode(v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchClient is the cost per record of a search that matches nothing: the value is
// parsed without allocating and its fields matched in place.
func BenchmarkSearchClient(b *testing.B) {
	v := encodeClient(sampleClient(), 0)
	m := newMatcher("zzz")
	var cf clientFields
	b.ReportAllocs()
	for b.Loop() {
		if err := cf.parse(v); err != nil || m.any(cf.fullName, cf.email, cf.companyName, cf.phone) {
			b.Fatal("matched")
		}
	}
}

// The same with encoding/json, the obvious alternative, for comparison.

func BenchmarkEncodeClientJSON(b *testing.B) {
	c := sampleClient()
	b.ReportAllocs()
	var n int
	for b.Loop() {
		v, err := json.Marshal(c)
		if err != nil {
			b.Fatal(err)
		}
		n = len(v)
	}
	b.ReportMetric(float64(n), "bytes/record")
}

// sampleClientJSON is sampleClient in JSON.
func sampleClientJSON(b *testing.B) []byte {
	v, err := json.Marshal(sampleClient())
	if err != nil {
		b.Fatal(err)
	}
	return v
}

func decodeClientJSON(b *testing.B, v []byte) core.Client {
	var c core.Client
	if err := json.Unmarshal(v, &c); err != nil {
		b.Fatal(err)
	}
	return c
}

func BenchmarkDecodeClientJSON(b *testing.B) {
	v := sampleClientJSON(b)
	b.ReportAllocs()
	for b.Loop() {
		decodeClientJSON(b, v)
	}
}

func BenchmarkSearchClientJSON(b *testing.B) {
	v := sampleClientJSON(b)
	b.ReportAllocs()
	for b.Loop() {
		c := decodeClientJSON(b, v)
		for _, f := range []string{c.FullName, c.Email, c.CompanyName, c.Phone} {
			if strings.Contains(strings.ToLower(f), "zzz") {
				b.Fatal("matched")
			}
		}
	}
}

// BenchmarkTx_SearchClients scans a bucket of b.N clients with a search that matches none:
// the time per operation is the time per record of a real scan.
func BenchmarkTx_SearchClients(b *testing.B) {
	db := mustOpen(b)
	const batch = 10000
	for i := 0; i < b.N; i += batch {
		mustUpdate(b, db, func(tx core.Tx) error {
			for j := i; j < min(i+batch, b.N); j++ {
				c := sampleClient()
				c.Email = uuid.NewString() + "@example.com"
				if err := tx.PutClient(c); err != nil {
					return err
				}
			}
			return nil
		})
	}
	b.ReportAllocs()
	b.ResetTimer()
	mustView(b, db, func(tx core.Tx) error {
		got, _, err := tx.Clients(core.ClientFilter{Search: "zzz"})
		if err != nil || len(got) != 0 {
			b.Fatalf("%d, %v", len(got), err)
		}
		return nil
	})
}
