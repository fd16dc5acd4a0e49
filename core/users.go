package core

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/epicevents/crm/permissions"
)

// UserInput is a new collaborator's details.
type UserInput struct {
	FullName   string
	Email      string
	Department Department
}

// UserPatch changes some of a collaborator's details; nil fields stay as they are.
type UserPatch struct {
	FullName   *string
	Email      *string
	Department *Department
}

// UserQuery selects collaborators for ListUsers.
type UserQuery struct {
	Department Department // "" for all
	Search     string
}

func validateUserInput(in UserInput) (UserInput, error) {
	var err error
	if in.FullName, err = ValidateText("full_name", in.FullName, 2, MaxNameLen); err != nil {
		return in, err
	}
	if in.Email, err = ValidateEmail("email", in.Email); err != nil {
		return in, err
	}
	if _, ok := permissions.ParseDepartment(string(in.Department)); !ok {
		return in, FieldError("department", CodeDepartmentInvalid)
	}
	in.Department, _ = permissions.ParseDepartment(string(in.Department))
	return in, nil
}

// CreateUser creates a collaborator with an initial password. Management only.
// Errors: Unauthenticated, Forbidden, Invalid (field), Conflict (email taken).
func (s *Service) CreateUser(a *Actor, in UserInput, password string) (User, error) {
	if err := authorize(a, resUser, permissions.Create, "create collaborators"); err != nil {
		return User{}, err
	}
	in, err := validateUserInput(in)
	if err != nil {
		return User{}, err
	}
	hash, err := s.newPasswordHash(a, "create user", password, in.Email)
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.update(a, "create user", func(tx Tx) error {
		var err error
		u, err = s.insertUser(tx, a, in, hash)
		return err
	})
	if err != nil {
		return User{}, err
	}
	s.event(a, EventUserCreate, "collaborator created", map[string]string{"record_id": u.ID.String(), "target_department": string(u.Department)})
	return u, nil
}

// insertUser adds a user with a fresh id and employee number in tx, with its audit entry.
func (s *Service) insertUser(tx Tx, a *Actor, in UserInput, hash string) (User, error) {
	num, err := freeEmployeeNumber(tx)
	if err != nil {
		return User{}, err
	}
	now := s.Now()
	u := User{ID: newID(), EmployeeNumber: num, FullName: in.FullName, Email: in.Email,
		Department: in.Department, PasswordHash: hash, Active: true, PasswordChangedAt: now,
		CreatedAt: now, UpdatedAt: now}
	if err := tx.PutUser(&u); err != nil {
		return User{}, err
	}
	return u, s.audit(tx, a, ActionCreate, UserRecord, u.ID, "full_name", "email", "department")
}

// freeEmployeeNumber draws "EE" + 6 random digits not yet taken. Random rather than sequential
// so that laptops creating collaborators offline do not all pick the same next number.
func freeEmployeeNumber(tx Tx) (string, error) {
	for range 50 {
		n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
		if err != nil {
			return "", err
		}
		num := fmt.Sprintf("EE%06d", n.Int64())
		_, err = tx.UserByEmployeeNumber(num)
		if KindOf(err) == NotFound {
			return num, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", NewError(Conflict, CodeNoEmployeeNumber)
}

// UpdateUser changes a collaborator's name, email or department. Management only; nobody
// changes their own department, and a collaborator stays in their department while they are
// the contact of clients (commercial) or events (support).
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict.
func (s *Service) UpdateUser(a *Actor, id uuid.UUID, p UserPatch) (User, error) {
	if err := authorize(a, resUser, permissions.Update, "update collaborators"); err != nil {
		return User{}, err
	}
	var fields []string
	u, err := changeRecord(s, a, "update user", Tx.User, id, func(tx Tx, u *User) error {
		next, err := applyUserPatch(*u, p)
		if err != nil {
			return err
		}
		fields = userChanges(*u, next)
		if len(fields) == 0 {
			return nil
		}
		if next.Department != u.Department {
			if err := s.checkDepartmentChange(tx, a, *u); err != nil {
				return err
			}
		}
		next.UpdatedAt = s.Now()
		if err := tx.PutUser(&next); err != nil {
			return err
		}
		*u = next
		return s.audit(tx, a, ActionUpdate, UserRecord, u.ID, fields...)
	})
	if err != nil {
		return User{}, err
	}
	if len(fields) > 0 {
		s.event(a, EventUserUpdate, "collaborator updated", map[string]string{"record_id": u.ID.String()}, fields...)
	}
	return u, nil
}

func applyUserPatch(u User, p UserPatch) (User, error) {
	in := UserInput{FullName: u.FullName, Email: u.Email, Department: u.Department}
	setIf(&in.FullName, p.FullName)
	setIf(&in.Email, p.Email)
	setIf(&in.Department, p.Department)
	in, err := validateUserInput(in)
	if err != nil {
		return u, err
	}
	u.FullName, u.Email, u.Department = in.FullName, in.Email, in.Department
	return u, nil
}

func userChanges(a, b User) []string {
	return changedNames(
		fieldDiff{"full_name", a.FullName == b.FullName},
		fieldDiff{"email", a.Email == b.Email},
		fieldDiff{"department", a.Department == b.Department})
}

func (s *Service) checkDepartmentChange(tx Tx, a *Actor, u User) error {
	if u.ID == a.id {
		return NewError(Forbidden, CodeOwnDepartment)
	}
	return checkNotContact(tx, u, CodeStillContactDepartment)
}

// checkNotContact refuses when u is still the contact of a client, contract or event.
func checkNotContact(tx Tx, u User, refusal Code) error {
	clients, hidden, err := tx.Clients(ClientFilter{CommercialID: u.ID, Limit: 1})
	if err := inTheWay(ClientRecord, hidden, err); err != nil {
		return err
	}
	contracts, hidden, err := tx.Contracts(ContractFilter{CommercialID: u.ID, Limit: 1})
	if err := inTheWay(ContractRecord, hidden, err); err != nil {
		return err
	}
	events, hidden, err := tx.Events(EventFilter{SupportID: u.ID, Limit: 1})
	if err := inTheWay(EventRecord, hidden, err); err != nil {
		return err
	}
	if len(clients)+len(contracts)+len(events) > 0 {
		return NewError(Conflict, refusal)
	}
	return nil
}

// DeactivateUser stops a collaborator from logging in and ends their sessions. Management only;
// not one's own account. Errors: Unauthenticated, Forbidden, NotFound, Conflict (already
// deactivated).
func (s *Service) DeactivateUser(a *Actor, id uuid.UUID) (User, error) {
	return s.setActive(a, id, false)
}

// ReactivateUser lets a deactivated collaborator log in again. Management only.
// Errors: Unauthenticated, Forbidden, NotFound, Conflict (already active).
func (s *Service) ReactivateUser(a *Actor, id uuid.UUID) (User, error) {
	return s.setActive(a, id, true)
}

func (s *Service) setActive(a *Actor, id uuid.UUID, active bool) (User, error) {
	if err := authorize(a, resUser, permissions.Deactivate, "deactivate or reactivate collaborators"); err != nil {
		return User{}, err
	}
	if id == a.id {
		return User{}, NewError(Forbidden, CodeOwnAccountActive)
	}
	u, err := changeRecord(s, a, "set user active", Tx.User, id, func(tx Tx, u *User) error {
		if u.Active == active {
			return NewError(Conflict, map[bool]Code{true: CodeAlreadyActive, false: CodeAlreadyDeactivated}[active])
		}
		u.Active = active
		u.UpdatedAt = s.Now()
		if err := tx.PutUser(u); err != nil {
			return err
		}
		// Sessions from before a deactivation stay ended after a reactivation on this laptop.
		if err := bumpEpoch(tx, u.ID); err != nil {
			return err
		}
		return s.audit(tx, a, map[bool]string{true: ActionReactivate, false: ActionDeactivate}[active], UserRecord, u.ID, "active")
	})
	if err != nil {
		return User{}, err
	}
	name, msg := EventUserDeactivate, "collaborator deactivated"
	if active {
		name, msg = EventUserReactivate, "collaborator reactivated"
	}
	s.event(a, name, msg, map[string]string{"record_id": u.ID.String()})
	return u, nil
}

// DeleteUser removes a collaborator. Management only; not one's own account, and not while
// they are the contact of a client, contract or event.
// Errors: Unauthenticated, Forbidden, NotFound, Conflict.
func (s *Service) DeleteUser(a *Actor, id uuid.UUID) error {
	if err := authorize(a, resUser, permissions.Delete, "delete collaborators"); err != nil {
		return err
	}
	if id == a.id {
		return NewError(Forbidden, CodeOwnAccountDelete)
	}
	err := s.deleteAudited(a, UserRecord, id, func(tx Tx) error {
		u, err := tx.User(id)
		if err != nil {
			return err
		}
		return checkNotContact(tx, u, CodeStillContactDelete)
	}, Tx.DeleteUser)
	if err == nil {
		s.event(a, EventUserDelete, "collaborator deleted", map[string]string{"record_id": id.String()})
	}
	return err
}

// ChangePassword changes the actor's own password after checking the current one, ends every
// other session, and returns the actor with a new session token.
// Errors: Unauthenticated, Invalid ("current_password" wrong, "password" too weak).
func (s *Service) ChangePassword(a *Actor, current, next string) (*Actor, error) {
	if err := authorize(a, resAccount, permissions.ChangePassword, "change passwords"); err != nil {
		return nil, err
	}
	var u User
	var hash string
	if err := s.view(a, "change password", func(tx Tx) error {
		var err error
		if u, err = tx.User(a.id); err != nil {
			return err
		}
		hash, err = passwordHash(tx, u)
		return err
	}); err != nil {
		return nil, err
	}
	// The current password is guessed no faster here than at login: same counter, same delay.
	now := s.Now()
	if err := s.throttled(u.Email, now); err != nil {
		return nil, err
	}
	ok, _, err := verifyPassword(current, hash, s.hash)
	if err != nil {
		return nil, s.report(a, InternalError("change password: stored hash", err))
	}
	if !ok {
		if err := s.recordFailure(u.Email, u.ID, now, false); err != nil {
			return nil, err
		}
		return nil, FieldError("current_password", CodePasswordIncorrect)
	}
	if current == next {
		return nil, FieldError("password", CodePasswordUnchanged)
	}
	if u, err = s.setPassword(a, u.ID, u.Email, next, ActionPassword); err != nil {
		return nil, err
	}
	return s.issue(u)
}

// ResetPassword sets another collaborator's password and ends their sessions. Management only;
// one's own password is changed with ChangePassword.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid.
func (s *Service) ResetPassword(a *Actor, id uuid.UUID, next string) error {
	if err := authorize(a, resUser, permissions.ResetPassword, "reset passwords"); err != nil {
		return err
	}
	if id == a.id {
		return NewError(Forbidden, CodeOwnPassword)
	}
	u, err := viewOne(s, a, "reset password", func(tx Tx) (User, error) { return tx.User(id) })
	if err != nil {
		return err
	}
	_, err = s.setPassword(a, id, u.Email, next, ActionPasswordReset)
	return err
}

// newPasswordHash checks a new password by the rules of §2 (it is not the account's email) and
// hashes it; a failure to hash is reported as an Internal error of op.
func (s *Service) newPasswordHash(a *Actor, op, password, email string) (string, error) {
	if err := ValidatePassword(password, email); err != nil {
		return "", err
	}
	hash, err := hashPassword(password, s.hash)
	if err != nil {
		return "", s.report(a, InternalError(op, err))
	}
	return hash, nil
}

func (s *Service) setPassword(a *Actor, id uuid.UUID, email, next, action string) (User, error) {
	hash, err := s.newPasswordHash(a, "hash password", next, email)
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.update(a, "set password", func(tx Tx) error {
		if u, err = tx.User(id); err != nil {
			return err
		}
		now := s.Now()
		u.PasswordHash, u.PasswordChangedAt, u.UpdatedAt = hash, now, now
		if err := tx.PutUser(&u); err != nil {
			return err
		}
		// Sessions end here at once and, through PasswordChangedAt, on the other laptops.
		if err := bumpEpoch(tx, id); err != nil {
			return err
		}
		if err := tx.SetRehash(id, Rehash{}); err != nil {
			return err
		}
		// A new password ends any lock-out of the account.
		if err := tx.PutThrottle(u.Email, Throttle{}); err != nil {
			return err
		}
		return s.audit(tx, a, action, UserRecord, id, "password")
	})
	return u, err
}

// GetUser returns a collaborator. Management may read anyone; others only themselves.
// Errors: Unauthenticated, Forbidden, NotFound.
func (s *Service) GetUser(a *Actor, id uuid.UUID) (User, error) {
	if a == nil {
		return User{}, unauthenticated(CodeNotLoggedIn)
	}
	if id != a.id && a.Can(resUser, permissions.Read) == deny {
		return User{}, NewError(Forbidden, CodeViewCollaborators, a.dept)
	}
	return viewOne(s, a, "get user", func(tx Tx) (User, error) { return tx.User(id) })
}

// ListUsers returns collaborators by full name, and how many damaged ones were left out.
// Management only. Errors: Unauthenticated, Forbidden, Invalid (department).
func (s *Service) ListUsers(a *Actor, q UserQuery) ([]User, int, error) {
	if err := authorize(a, resUser, permissions.List, "list collaborators"); err != nil {
		return nil, 0, err
	}
	f := UserFilter{Search: strings.ToLower(strings.TrimSpace(q.Search))}
	if q.Department != "" {
		d, err := ParseDepartment(string(q.Department))
		if err != nil {
			return nil, 0, err
		}
		f.Department = d
	}
	users, hidden, err := viewList(s, a, "list users", func(tx Tx) ([]User, int, error) { return tx.Users(f) })
	sortUsers(users)
	return users, hidden, err
}

func sortUsers(u []User) {
	sort.Slice(u, func(i, j int) bool {
		a, b := strings.ToLower(u[i].FullName), strings.ToLower(u[j].FullName)
		if a != b {
			return a < b
		}
		return u[i].Email < u[j].Email
	})
}

// Contact is the public face of a collaborator that every logged-in user may see: enough to
// show who the contact of a record is and to pick one.
type Contact struct {
	ID         uuid.UUID
	FullName   string
	Email      string
	Department Department
	Active     bool
}

// Contacts returns every collaborator as a Contact, by full name. Damaged users are left out
// (ListUsers counts them). Any logged-in user. Errors: Unauthenticated.
func (s *Service) Contacts(a *Actor) ([]Contact, error) {
	if a == nil {
		return nil, unauthenticated(CodeNotLoggedIn)
	}
	users, _, err := viewList(s, a, "list contacts", func(tx Tx) ([]User, int, error) { return tx.Users(UserFilter{}) })
	sortUsers(users)
	out := make([]Contact, len(users))
	for i, u := range users {
		out[i] = Contact{ID: u.ID, FullName: u.FullName, Email: u.Email, Department: u.Department, Active: u.Active}
	}
	return out, err
}
