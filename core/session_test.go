package core_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/epicevents/crm/core"
)

func TestService_Login(t *testing.T) {
	e := mustEnv(t)
	t.Run("OK", func(t *testing.T) {
		a, err := e.svc.Login("  ADA@epicevents.com ", testPassword)
		if err != nil {
			t.Fatal(err)
		}
		if a.Department() != core.Management || a.FullName() != "Ada Manager" || a.Token() == "" {
			t.Fatalf("actor %+v", a)
		}
		if want := e.clock.Now().Add(8 * time.Hour); !a.ExpiresAt().Equal(want) {
			t.Fatalf("expires at %v, want %v", a.ExpiresAt(), want)
		}
		if r, err := e.svc.Resume(a.Token()); err != nil || r.ID() != a.ID() {
			t.Fatalf("resume: %v", err)
		}
	})
	t.Run("ErrUnauthenticated", func(t *testing.T) {
		_, errWrong := e.svc.Login("ada@epicevents.com", "Wrong-pass1!")
		_, errUnknown := e.svc.Login("nobody@epicevents.com", testPassword)
		wantKind(t, errWrong, core.Unauthenticated)
		wantKind(t, errUnknown, core.Unauthenticated)
		if errWrong.Error() != "invalid email or password" || errUnknown.Error() != errWrong.Error() {
			t.Fatalf("messages differ or leak: %q / %q", errWrong, errUnknown)
		}
	})
	t.Run("ErrDeactivated", func(t *testing.T) {
		s, err := e.deactivatedLogin(t)
		// The window translates this sentence (ui/coremsg.go); the CLI prints it.
		if err.Error() != "this account is deactivated" {
			t.Errorf("deactivated login: %q, want \"this account is deactivated\"", err)
		}
		// Without the right password, nothing tells that the account exists or is deactivated.
		_, err = e.svc.Login(s.Email(), "Wrong-pass1!")
		if core.KindOf(err) != core.Unauthenticated || err.Error() != "invalid email or password" {
			t.Errorf("deactivated account, wrong password: %v, want \"invalid email or password\"", err)
		}
		_, err = e.svc.Resume(s.Token())
		wantKind(t, err, core.Unauthenticated)
	})
	names := e.mon.names()
	if !contains(names, core.EventLoginSuccess) || !contains(names, core.EventLoginFailure) {
		t.Fatalf("monitor events %v", names)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestService_LoginThrottle(t *testing.T) {
	e := mustEnv(t)
	for i := 0; i < 5; i++ {
		_, err := e.svc.Login("ada@epicevents.com", "Wrong-pass1!")
		if err == nil || err.Error() != "invalid email or password" {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	_, err := e.svc.Login("ada@epicevents.com", testPassword)
	wantKind(t, err, core.Unauthenticated)
	if !strings.Contains(err.Error(), "too many failed login attempts") || !strings.Contains(err.Error(), "30s") {
		t.Fatalf("throttled message %q", err)
	}

	t.Run("SurvivesReopen", func(t *testing.T) {
		e.reopen()
		_, err := e.svc.Login("ada@epicevents.com", testPassword)
		if err == nil || !strings.Contains(err.Error(), "too many") {
			t.Fatalf("after reopen: %v", err)
		}
	})
	t.Run("Doubles", func(t *testing.T) {
		e.clock.Advance(31 * time.Second)
		if _, err := e.svc.Login("ada@epicevents.com", "Wrong-pass1!"); err == nil {
			t.Fatal("wrong password accepted")
		}
		_, err := e.svc.Login("ada@epicevents.com", testPassword)
		if err == nil || !strings.Contains(err.Error(), "1m0s") {
			t.Fatalf("second lock: %v", err)
		}
		for i := 0; i < 10; i++ { // the delay stops growing at 15 minutes
			e.clock.Advance(16 * time.Minute)
			_, _ = e.svc.Login("ada@epicevents.com", "Wrong-pass1!")
		}
		_, err = e.svc.Login("ada@epicevents.com", testPassword)
		if err == nil || !strings.Contains(err.Error(), "15m0s") {
			t.Fatalf("capped lock: %v", err)
		}
	})
	t.Run("ResetOnSuccess", func(t *testing.T) {
		e.clock.Advance(16 * time.Minute)
		if _, err := e.svc.Login("ada@epicevents.com", testPassword); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 4; i++ {
			_, _ = e.svc.Login("ada@epicevents.com", "Wrong-pass1!")
		}
		if _, err := e.svc.Login("ada@epicevents.com", testPassword); err != nil {
			t.Fatalf("4 failures after a success must not lock: %v", err)
		}
	})
}

func TestService_LoginRehash(t *testing.T) {
	e := mustEnv(t)
	weak := weakHash(t, testPassword)
	setHash := func(t *testing.T, hash string, changed time.Time) {
		t.Helper()
		err := e.db.Update(func(tx core.Tx) error {
			u, err := tx.UserByEmail("ada@epicevents.com")
			if err != nil {
				return err
			}
			u.PasswordHash, u.PasswordChangedAt = hash, changed
			return tx.PutUser(&u)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	rehash := func(t *testing.T) core.Rehash {
		t.Helper()
		var r core.Rehash
		if err := e.db.View(func(tx core.Tx) error {
			var err error
			r, err = tx.Rehash(e.admin.ID())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return r
	}
	setHash(t, weak, e.clock.Now().Add(-time.Hour))
	t.Run("OKLocalOverride", func(t *testing.T) {
		if _, err := e.svc.Login("ada@epicevents.com", testPassword); err != nil {
			t.Fatal(err)
		}
		r := rehash(t)
		if r.Replaces != weak || !strings.HasPrefix(r.Hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Fatalf("local re-hash %q replacing %q", r.Hash, r.Replaces)
		}
		u, err := e.svc.GetUser(e.admin, e.admin.ID())
		if err != nil || u.PasswordHash != weak {
			t.Fatalf("the replicated hash changed: %v", err)
		}
		// The next login verifies the stronger hash and does not re-hash again.
		if _, err := e.svc.Login("ada@epicevents.com", testPassword); err != nil {
			t.Fatalf("login with the re-hash: %v", err)
		}
		if again := rehash(t); again != r {
			t.Fatal("a second login re-hashed again")
		}
		entries, _, err := e.svc.Audit(e.admin, core.AuditQuery{RecordID: e.admin.ID()})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, a := range entries {
			if a.Action == core.ActionPasswordHash {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d re-hash audit entries, want 1", n)
		}
	})
	t.Run("OKStaleAfterReplicatedChange", func(t *testing.T) {
		// Another laptop set a new password: the replicated hash no longer is the one the
		// local re-hash stands for, which then no longer counts.
		other := "An0ther-secret!"
		setHash(t, core.HashForTest(other, core.MinHashParams), e.clock.Now())
		_, err := e.svc.Login("ada@epicevents.com", testPassword)
		wantKind(t, err, core.Unauthenticated)
		if _, err := e.svc.Login("ada@epicevents.com", other); err != nil {
			t.Fatalf("login with the new password: %v", err)
		}
	})
}

func TestService_ResumeAfterPasswordChangedElsewhere(t *testing.T) {
	e := mustEnv(t)
	a := e.login("ada@epicevents.com")
	e.clock.Advance(time.Minute)
	// A pull brings the user with a password changed on another laptop a second ago: the
	// epoch of this laptop did not move, the time of the change ends the older session.
	err := e.db.Update(func(tx core.Tx) error {
		u, err := tx.User(a.ID())
		if err != nil {
			return err
		}
		u.PasswordChangedAt = e.clock.Now().Add(-time.Second)
		return tx.PutUser(&u)
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Resume(a.Token())
	wantKind(t, err, core.Unauthenticated)
	b := e.login("ada@epicevents.com")
	if _, err := e.svc.Resume(b.Token()); err != nil {
		t.Fatalf("a session issued after the change: %v", err)
	}
}

// weakHash is an argon2id PHC hash at parameters below the floor, as an older version might
// have stored.
func weakHash(t *testing.T, pw string) string {
	t.Helper()
	// 1 MiB, 1 pass: computed by the same PHC format the product writes.
	return core.HashForTest(pw, core.HashParams{Memory: 1024, Time: 1, Threads: 1})
}

func signingKey(t *testing.T, e *env) []byte {
	t.Helper()
	var key []byte
	if err := e.db.View(func(tx core.Tx) error {
		v, err := tx.SigningKey()
		key = append([]byte(nil), v...)
		return err
	}); err != nil || len(key) != 32 {
		t.Fatalf("signing key: %d bytes, %v", len(key), err)
	}
	return key
}

func TestService_Resume(t *testing.T) {
	e := mustEnv(t)
	key := signingKey(t, e)
	now := e.clock.Now()
	valid := jwt.MapClaims{"iss": "epicevents-crm", "aud": "epicevents-crm-session",
		"sub": e.admin.ID().String(), "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "epc": 0}
	sign := func(m jwt.SigningMethod, claims jwt.MapClaims, k any) string {
		s, err := jwt.NewWithClaims(m, claims).SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	with := func(k string, v any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for kk, vv := range valid {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	t.Run("OK", func(t *testing.T) {
		if _, err := e.svc.Resume(sign(jwt.SigningMethodHS256, valid, key)); err != nil {
			t.Fatal(err)
		}
	})
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	good := sign(jwt.SigningMethodHS256, valid, key)
	parts := strings.Split(good, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sig[5] ^= 0x01
	flipped := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, valid).SignedString(jwt.UnsafeAllowNoneSignatureType)
	for name, tok := range map[string]string{
		"AlgNone":      none,
		"HS512":        sign(jwt.SigningMethodHS512, valid, key),
		"RS256":        sign(jwt.SigningMethodRS256, valid, rsaKey),
		"MissingExp":   sign(jwt.SigningMethodHS256, with("exp", nil), key),
		"PastExp":      sign(jwt.SigningMethodHS256, with("exp", now.Add(-time.Second).Unix()), key),
		"WrongIssuer":  sign(jwt.SigningMethodHS256, with("iss", "someone-else"), key),
		"WrongAud":     sign(jwt.SigningMethodHS256, with("aud", "another-app"), key),
		"OtherKey":     sign(jwt.SigningMethodHS256, valid, []byte("0123456789abcdef0123456789abcdef")),
		"FlippedSig":   flipped,
		"OldEpoch":     sign(jwt.SigningMethodHS256, with("epc", 7), key),
		"UnknownUser":  sign(jwt.SigningMethodHS256, with("sub", "7b0f3f40-58b2-4a43-9d0c-2d5a4b4a0b53"), key),
		"NotAToken":    "hello",
		"Empty":        "",
		"HugeOneMiB":   strings.Repeat("A", 1<<20),
		"FutureIssued": sign(jwt.SigningMethodHS256, with("iat", now.Add(time.Hour).Unix()), key),
	} {
		t.Run("Err"+name, func(t *testing.T) {
			_, err := e.svc.Resume(tok)
			wantKind(t, err, core.Unauthenticated)
		})
	}
	// A token is at most 4 KiB: a longer one is refused before it is parsed, even if well signed.
	padded := func(n int) string {
		for pad := 0; ; pad++ {
			tok := sign(jwt.SigningMethodHS256, with("pad", strings.Repeat("x", pad)), key)
			if len(tok) == n {
				return tok
			}
			if len(tok) > n {
				t.Fatalf("no token of %d bytes", n)
			}
		}
	}
	t.Run("OKLongest", func(t *testing.T) {
		if _, err := e.svc.Resume(padded(4096)); err != nil {
			t.Fatalf("a well-signed token of 4096 bytes: %v", err)
		}
	})
	t.Run("ErrTooLong", func(t *testing.T) {
		_, err := e.svc.Resume(padded(4097))
		wantKind(t, err, core.Unauthenticated)
	})
	t.Run("ErrExpiredAfter8h", func(t *testing.T) {
		a := e.login("ada@epicevents.com")
		e.clock.Advance(8*time.Hour + time.Second)
		_, err := e.svc.Resume(a.Token())
		wantKind(t, err, core.Unauthenticated)
	})
}

func TestService_Logout(t *testing.T) {
	e := mustEnv(t)
	a := e.login("ada@epicevents.com")
	if err := e.svc.Logout(a); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Resume(a.Token())
	wantKind(t, err, core.Unauthenticated)
	_, err = e.svc.Resume(e.admin.Token())
	wantKind(t, err, core.Unauthenticated)
	b := e.login("ada@epicevents.com")
	if _, err := e.svc.Resume(b.Token()); err != nil {
		t.Fatalf("a new login after logout: %v", err)
	}
	wantKind(t, e.svc.Logout(nil), core.Unauthenticated)
}

func TestService_Initialize(t *testing.T) {
	e := mustEnv(t)
	_, err := e.svc.Initialize(core.InitInput{AdminName: "Bob", AdminEmail: "bob@epicevents.com", Password: testPassword})
	wantKind(t, err, core.Conflict)
	ok, err := e.svc.Initialized()
	if !ok || err != nil {
		t.Fatalf("initialized = %v, %v", ok, err)
	}
	t.Run("ErrInvalid", func(t *testing.T) {
		f := &env{t: t, path: t.TempDir() + "/x.db", clock: e.clock, mon: &recorder{}}
		f.open()
		defer f.close()
		_, err := f.svc.Initialize(core.InitInput{AdminName: "Bob", AdminEmail: "bob", Password: testPassword})
		wantKind(t, err, core.Invalid)
		_, err = f.svc.Initialize(core.InitInput{AdminName: "Bob", AdminEmail: "bob@x.fr", Password: "weak"})
		wantKind(t, err, core.Invalid)
		if ok, _ := f.svc.Initialized(); ok {
			t.Fatal("a refused initialisation left the database initialised")
		}
		_, err = f.svc.Login("bob@x.fr", "weak")
		wantKind(t, err, core.Unauthenticated)
	})
}

func TestService_InitializeDemo(t *testing.T) {
	path := t.TempDir() + "/demo.db"
	f := &env{t: t, path: path, clock: &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}, mon: &recorder{}}
	f.open()
	defer f.close()
	res, err := f.svc.Initialize(core.InitInput{AdminName: "Ada Manager", AdminEmail: "ada@epicevents.com", Password: testPassword, Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Demo) != 5 {
		t.Fatalf("%d demo accounts, want 5", len(res.Demo))
	}
	admin := f.login("ada@epicevents.com")
	users, _, _ := f.svc.ListUsers(admin, core.UserQuery{})
	clients, _, _ := f.svc.ListClients(admin, core.ClientQuery{})
	contracts, _, _ := f.svc.ListContracts(admin, core.ContractQuery{})
	events, _, _ := f.svc.ListEvents(admin, core.EventQuery{})
	if len(users) != 6 || len(clients) != 4 || len(contracts) != 4 || len(events) != 3 {
		t.Fatalf("demo: %d users, %d clients, %d contracts, %d events", len(users), len(clients), len(contracts), len(events))
	}
	upcoming, _, _ := f.svc.ListEvents(admin, core.EventQuery{Upcoming: true})
	if len(upcoming) != 2 {
		t.Fatalf("%d upcoming demo events, want 2", len(upcoming))
	}
	depts := map[core.Department]int{}
	for _, d := range res.Demo {
		depts[d.Department]++
		if err := core.ValidatePassword(d.Password, d.Email); err != nil {
			t.Fatalf("demo password: %v", err)
		}
		if _, err := f.svc.Login(d.Email, d.Password); err != nil {
			t.Fatalf("demo login %s: %v", d.Email, err)
		}
	}
	if depts[core.Commercial] != 2 || depts[core.Support] != 2 || depts[core.Management] != 1 {
		t.Fatalf("demo departments %v", depts)
	}
	// Passwords are drawn at random: a second demo database gets other ones.
	g := &env{t: t, path: t.TempDir() + "/demo2.db", clock: f.clock, mon: &recorder{}}
	g.open()
	defer g.close()
	res2, err := g.svc.Initialize(core.InitInput{AdminName: "Ada Manager", AdminEmail: "ada@epicevents.com", Password: testPassword, Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range res.Demo {
		if res.Demo[i].Password == res2.Demo[i].Password {
			t.Fatal("demo passwords repeat across databases")
		}
	}
}

// BenchmarkService_ResumeRefused is the cost of refusing a token: a 1 MiB string (refused for its
// length, unread) and a well-formed token with a wrong signature (parsed, its HMAC checked). A
// refusal must stay cheap; it was a timed assertion under -race before.
func BenchmarkService_ResumeRefused(b *testing.B) {
	e := mustEnv(b)
	parts := strings.Split(e.admin.Token(), ".")
	forged := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	for name, tok := range map[string]string{"HugeOneMiB": strings.Repeat("A", 1<<20), "ForgedSignature": forged} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := e.svc.Resume(tok); core.KindOf(err) != core.Unauthenticated {
					b.Fatalf("resume: %v", err)
				}
			}
		})
	}
}
