package core

import (
	"strings"

	"github.com/google/uuid"
)

// MinIDPrefix is the shortest id prefix accepted where a record is named.
const MinIDPrefix = 8

// ResolveID turns what a person typed — a full id or a unique prefix of at least 8 hexadecimal
// characters — into the id of a record of type t. Any logged-in user.
// Errors: Unauthenticated, Invalid (malformed), NotFound, Conflict (ambiguous prefix).
func (s *Service) ResolveID(a *Actor, t RecordType, ref string) (uuid.UUID, error) {
	if a == nil {
		return uuid.Nil, unauthenticated(CodeNotLoggedIn)
	}
	ref = strings.ToLower(strings.TrimSpace(ref))
	if id, err := uuid.Parse(ref); err == nil && len(ref) >= 32 {
		return id, nil
	}
	hex := strings.ReplaceAll(ref, "-", "")
	if len(hex) < MinIDPrefix || len(hex) > 32 || strings.Trim(hex, "0123456789abcdef") != "" {
		return uuid.Nil, FieldError("id", CodeNotAnID, ref, MinIDPrefix)
	}
	ids, err := viewOne(s, a, "resolve id", func(tx Tx) ([]uuid.UUID, error) { return tx.IDsWithPrefix(t, hex, 2) })
	switch {
	case err != nil:
		return uuid.Nil, err
	case len(ids) == 0:
		return uuid.Nil, notFound(string(t))
	case len(ids) > 1:
		return uuid.Nil, NewError(Conflict, CodeAmbiguousID, ref, t)
	}
	return ids[0], nil
}

// ResolveUser turns an email, a full id or a unique id prefix into a collaborator's id.
// Errors: Unauthenticated, Invalid, NotFound, Conflict.
func (s *Service) ResolveUser(a *Actor, ref string) (uuid.UUID, error) {
	if a == nil {
		return uuid.Nil, unauthenticated(CodeNotLoggedIn)
	}
	if !strings.Contains(ref, "@") {
		return s.ResolveID(a, UserRecord, ref)
	}
	u, err := viewOne(s, a, "resolve user", func(tx Tx) (User, error) { return tx.UserByEmail(NormalizeEmail(ref)) })
	if KindOf(err) == NotFound {
		return uuid.Nil, notFound("user")
	}
	return u.ID, err
}
