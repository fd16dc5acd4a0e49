package core

import (
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/permissions"
)

// Actor is the logged-in collaborator on whose behalf a service method runs. Only Login,
// ChangePassword and Resume produce one: its fields are unexported so that no caller can
// forge an identity.
type Actor struct {
	id    uuid.UUID
	name  string
	email string
	dept  Department
	token string
	exp   time.Time
}

func newActor(u User, token string, exp time.Time) *Actor {
	return &Actor{id: u.ID, name: u.FullName, email: u.Email, dept: u.Department, token: token, exp: exp}
}

// ID returns the collaborator's id.
func (a *Actor) ID() uuid.UUID { return a.id }

// FullName returns the collaborator's name as of login.
func (a *Actor) FullName() string { return a.name }

// Email returns the collaborator's email as of login.
func (a *Actor) Email() string { return a.email }

// Department returns the collaborator's department.
func (a *Actor) Department() Department { return a.dept }

// Token returns the session token the actor was authenticated with.
func (a *Actor) Token() string { return a.token }

// ExpiresAt returns when the actor's session token expires.
func (a *Actor) ExpiresAt() time.Time { return a.exp }

// Can reports the scope the actor has for action on resource (permissions table of §3).
func (a *Actor) Can(r permissions.Resource, act permissions.Action) permissions.Scope {
	if a == nil {
		return permissions.Deny
	}
	return permissions.Allowed(a.dept, r, act)
}
