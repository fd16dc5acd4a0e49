package core

import (
	"crypto/rand"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Session parameters of PRODUCT.md §4.
const (
	SessionTTL     = 8 * time.Hour
	tokenIssuer    = "epicevents-crm"
	tokenAudience  = "epicevents-crm-session"
	maxTokenLen    = 4096
	maxPasswordLen = 1024
	// metaSigningKey is where schema 1 kept the signing key, in meta (local_meta since).
	metaSigningKey = "signing_key"
	throttleAfter  = 5
	throttleFirst  = 30 * time.Second
	throttleMax    = 15 * time.Minute
)

type tokenClaims struct {
	jwt.RegisteredClaims
	Epoch uint32 `json:"epc"`
}

func errInvalidCredentials() *Error { return unauthenticated(CodeBadCredentials) }

func errSession() *Error {
	return unauthenticated(CodeSessionExpired)
}

// Login checks an email and password and returns the actor with a fresh session token.
// Errors: Unauthenticated ("invalid email or password", deactivated account, or throttled).
func (s *Service) Login(email, password string) (*Actor, error) {
	e := NormalizeEmail(email)
	now := s.Now()
	var u User
	var th Throttle
	hash := ""
	found := false
	err := s.view(nil, "login", func(tx Tx) error {
		var err error
		if th, err = tx.Throttle(e); err != nil {
			return err
		}
		u, err = tx.UserByEmail(e)
		if KindOf(err) == NotFound {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		hash, err = passwordHash(tx, u)
		return err
	})
	if err != nil {
		return nil, err
	}
	if wait := th.LockedUntil.Sub(now); wait > 0 {
		s.event(nil, EventLoginFailure, "login refused: too many failed attempts", map[string]string{"reason": "throttled"})
		return nil, unauthenticated(CodeLoginThrottled, roundUp(wait))
	}
	if !found {
		hash = s.dummy // as costly to verify as a real hash: the two cases take as long
	}
	ok := false
	rehash := false
	if len(password) <= maxPasswordLen {
		ok, rehash, err = verifyPassword(password, hash, s.hash)
		if err != nil {
			s.report(nil, InternalError("login: stored password hash", err))
			ok = false
		}
	}
	if !found || !ok {
		return nil, s.loginFailed(e, u, now)
	}
	if !u.Active {
		who := &Actor{id: u.ID, dept: u.Department}
		s.event(who, EventLoginFailure, "login refused: account deactivated", map[string]string{"reason": "deactivated"})
		if err := s.auditAlone(who, AuditEntry{Action: ActionLoginFailed, Record: UserRecord, RecordID: u.ID, Fields: []string{"active"}}); err != nil {
			return nil, err
		}
		return nil, unauthenticated(CodeAccountDeactivated)
	}
	if err := s.loginSucceeded(e, u, hash, password, rehash); err != nil {
		return nil, err
	}
	a, err := s.issue(u)
	if err != nil {
		return nil, err
	}
	s.event(a, EventLoginSuccess, "login succeeded", nil)
	return a, nil
}

// roundUp rounds a wait up to whole seconds, so "try again in 30s" is never too early.
func roundUp(d time.Duration) time.Duration {
	return (d + time.Second - 1).Truncate(time.Second)
}

func (s *Service) loginFailed(email string, u User, now time.Time) error {
	if err := s.recordFailure(email, u.ID, now, true); err != nil {
		return err
	}
	var a *Actor
	if u.ID != uuid.Nil {
		a = &Actor{id: u.ID, dept: u.Department}
	}
	s.event(a, EventLoginFailure, "login failed: invalid email or password", map[string]string{"reason": "credentials"})
	return errInvalidCredentials()
}

// loginSucceeded clears the email's failures and, when the verified hash was weaker than the
// service's parameters, re-hashes the password into a local override of the replicated hash
// (the replicated user is not rewritten: a re-hash is this laptop's business).
func (s *Service) loginSucceeded(email string, u User, verified, password string, rehash bool) error {
	newHash := ""
	if rehash {
		h, err := hashPassword(password, s.hash)
		if err != nil {
			return s.report(nil, InternalError("login: rehash", err))
		}
		newHash = h
	}
	return s.update(nil, "login", func(tx Tx) error {
		if err := tx.PutThrottle(email, Throttle{}); err != nil {
			return err
		}
		if err := s.audit(tx, &Actor{id: u.ID}, ActionLogin, UserRecord, u.ID); err != nil {
			return err
		}
		if newHash == "" {
			return nil
		}
		cur, err := tx.User(u.ID)
		if err != nil {
			return err
		}
		if h, err := passwordHash(tx, cur); err != nil || h != verified {
			return err // changed meanwhile: keep the newer hash
		}
		if err := tx.SetRehash(u.ID, Rehash{Replaces: cur.PasswordHash, Hash: newHash}); err != nil {
			return err
		}
		return s.audit(tx, &Actor{id: u.ID}, ActionPasswordHash, UserRecord, u.ID, "password")
	})
}

// passwordHash returns the hash a password of u is checked against: this laptop's re-hash
// when it still stands for the replicated hash, the replicated hash otherwise.
func passwordHash(tx LocalTx, u User) (string, error) {
	r, err := tx.Rehash(u.ID)
	if err != nil {
		return "", err
	}
	if r.Hash != "" && r.Replaces == u.PasswordHash {
		return r.Hash, nil
	}
	return u.PasswordHash, nil
}

// recordFailure counts a failed password check for email: after 5 in a row, attempts are
// refused for 30 s, doubling up to 15 min. A failed login (login set) also goes to the audit
// trail in the same transaction: as the account id (the attempt's claimed identity), or
// uuid.Nil when no account has that email — the email itself is not kept. Both cases thus
// write the same records and take as long.
func (s *Service) recordFailure(email string, id uuid.UUID, now time.Time, login bool) error {
	return s.update(nil, "record password failure", func(tx Tx) error {
		th, err := tx.Throttle(email)
		if err != nil {
			return err
		}
		if login {
			if err := s.audit(tx, &Actor{id: id}, ActionLoginFailed, UserRecord, id); err != nil {
				return err
			}
		}
		th.Failures++
		if th.Failures >= throttleAfter {
			delay := throttleFirst << min(th.Failures-throttleAfter, 10)
			th.LockedUntil = now.Add(min(delay, throttleMax))
		}
		return tx.PutThrottle(email, th)
	})
}

// throttled returns the Unauthenticated error of a locked email, or nil.
func (s *Service) throttled(email string, now time.Time) error {
	th, err := viewOne(s, nil, "read throttle", func(tx Tx) (Throttle, error) { return tx.Throttle(email) })
	if err != nil {
		return err
	}
	if wait := th.LockedUntil.Sub(now); wait > 0 {
		return unauthenticated(CodePasswordThrottled, roundUp(wait))
	}
	return nil
}

// issue signs a token for u, in u's current session epoch on this laptop, and returns the actor
// carrying it.
func (s *Service) issue(u User) (*Actor, error) {
	key, err := s.signingKey(true)
	if err != nil {
		return nil, err
	}
	var epoch uint32
	if err := s.view(nil, "issue session", func(tx Tx) error {
		epoch, err = tx.SessionEpoch(u.ID)
		return err
	}); err != nil {
		return nil, err
	}
	now := s.now()
	c := tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    tokenIssuer,
			Subject:   u.ID.String(),
			Audience:  jwt.ClaimStrings{tokenAudience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(SessionTTL)),
			ID:        newID().String(),
		},
		Epoch: epoch,
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(key)
	if err != nil {
		return nil, s.report(nil, InternalError("sign session token", err))
	}
	return newActor(u, tok, c.ExpiresAt.Time), nil
}

// Resume checks a session token and reloads its user. Errors: Unauthenticated when the token is
// malformed, expired, not ours, or when its user was deleted, deactivated, logged out (on this
// laptop) or changed password (on any laptop) since it was issued.
func (s *Service) Resume(token string) (*Actor, error) {
	if token == "" || len(token) > maxTokenLen {
		return nil, errSession()
	}
	key, err := s.signingKey(false)
	if err != nil {
		return nil, err
	}
	var c tokenClaims
	_, err = jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(tokenIssuer),
		jwt.WithAudience(tokenAudience),
		jwt.WithTimeFunc(s.now),
	)
	if err != nil {
		return nil, errSession()
	}
	id, err := uuid.Parse(c.Subject)
	if err != nil {
		return nil, errSession()
	}
	var u User
	var epoch uint32
	err = s.view(nil, "resume session", func(tx Tx) error {
		if u, err = tx.User(id); err != nil {
			return err
		}
		epoch, err = tx.SessionEpoch(id)
		return err
	})
	if KindOf(err) == NotFound || (err == nil && !sessionValid(u, epoch, c)) {
		return nil, errSession()
	}
	if err != nil {
		return nil, err
	}
	return newActor(u, token, c.ExpiresAt.Time), nil
}

// sessionValid reports whether a token's claims still hold for u: an active user, the epoch of
// this laptop, and issued no earlier than the last password change (iat has whole seconds).
func sessionValid(u User, epoch uint32, c tokenClaims) bool {
	if !u.Active || c.Epoch != epoch || c.IssuedAt == nil {
		return false
	}
	return !c.IssuedAt.Time.Before(u.PasswordChangedAt.Truncate(time.Second))
}

// Logout ends every session of the actor's user on this laptop: tokens issued before it are
// refused. The replicated user is not rewritten. Errors: Unauthenticated.
func (s *Service) Logout(a *Actor) error {
	if a == nil {
		return unauthenticated(CodeNotLoggedIn)
	}
	return s.update(a, "logout", func(tx Tx) error {
		if _, err := tx.User(a.id); err != nil {
			return err
		}
		if err := bumpEpoch(tx, a.id); err != nil {
			return err
		}
		return s.audit(tx, a, ActionLogout, UserRecord, a.id)
	})
}

// bumpEpoch ends the sessions of a user on this laptop.
func bumpEpoch(tx LocalTx, id uuid.UUID) error {
	epoch, err := tx.SessionEpoch(id)
	if err != nil {
		return err
	}
	return tx.SetSessionEpoch(id, epoch+1)
}

// signingKey returns the session signing key of the database, cached once read. A database
// without one — a restored backup, since backups leave the key out — gets a new random key
// when create is set (a login); otherwise (resuming a session) no token can be valid and the
// session error is returned. Errors: Unauthenticated, Internal.
func (s *Service) signingKey(create bool) ([]byte, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	var key []byte
	err := s.view(nil, "load signing key", func(tx Tx) error {
		v, err := tx.SigningKey()
		key = append([]byte(nil), v...)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(key) == 0 && create {
		key, err = s.newSigningKey()
		if err != nil {
			return nil, err
		}
	}
	if len(key) != 32 {
		return nil, errSession()
	}
	s.key = key
	return key, nil
}

// newSigningKey stores a new random 32-byte signing key, unless one appeared meanwhile (then
// that one is returned).
func (s *Service) newSigningKey() ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, s.report(nil, InternalError("generate signing key", err))
	}
	err := s.update(nil, "store signing key", func(tx Tx) error {
		v, err := tx.SigningKey()
		if err != nil || len(v) > 0 {
			key = append(key[:0], v...)
			return err
		}
		return tx.SetSigningKey(key)
	})
	return key, err
}
