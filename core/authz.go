package core

import (
	"slices"

	"github.com/epicevents/crm/permissions"
)

// The predicates of this file tell a face what to offer (a button, an editable form, a list to
// pick from) from the same rules the Service enforces; the Service's methods stay the authority.
// The faces never read the permission table or compare departments themselves
// (TestFaces_NoPermissionDecisions in package main checks ui/ and cli/).

// scopeOn returns whether a scope allows the action on a record whose contact is owner.
func (a *Actor) scopeOn(r resource, act action, owner func() bool) bool {
	switch a.Can(r, act) {
	case all:
		return true
	case own:
		return owner()
	}
	return false
}

// CanCreateClient reports whether a may create clients (their own or anyone's).
func CanCreateClient(a *Actor) bool { return a.Can(resClient, permissions.Create) != deny }

// CanChooseCommercial reports whether a names the commercial contact of a client: when creating
// one (editing false) or on an existing one (a reassignment). Others become the commercial of
// the clients they create and cannot change it.
func CanChooseCommercial(a *Actor, editing bool) bool {
	if editing {
		return a.Can(resClient, permissions.Reassign) == all
	}
	return a.Can(resClient, permissions.Create) == all
}

// CanUpdateClient reports whether a may change c's details (UpdateClient enforces the same).
func CanUpdateClient(a *Actor, c Client) bool {
	return a.scopeOn(resClient, permissions.Update, func() bool { return c.CommercialID == a.id })
}

// CanDeleteClient reports whether a may delete clients (DeleteClient enforces the same).
func CanDeleteClient(a *Actor) bool { return a.Can(resClient, permissions.Delete) == all }

// CanCreateContract reports whether a may create contracts.
func CanCreateContract(a *Actor) bool { return a.Can(resContract, permissions.Create) != deny }

// CanUpdateContract reports whether a may change k's amounts: not a cancelled contract, and only
// the contracts of one's own clients for a commercial (UpdateContract enforces the same).
func CanUpdateContract(a *Actor, k Contract) bool {
	return k.Status != Cancelled &&
		a.scopeOn(resContract, permissions.Update, func() bool { return k.CommercialID == a.id })
}

// CanSignContract reports whether a may sign k now.
func CanSignContract(a *Actor, k Contract) bool {
	return a.Can(resContract, permissions.Sign) == all && CanTransition(k.Status, Signed)
}

// CanCancelContract reports whether a may cancel k now.
func CanCancelContract(a *Actor, k Contract) bool {
	return a.Can(resContract, permissions.Cancel) == all && CanTransition(k.Status, Cancelled)
}

// CanDeleteContract reports whether a may delete contracts.
func CanDeleteContract(a *Actor) bool { return a.Can(resContract, permissions.Delete) == all }

// CanCreateEvents reports whether a may create events at all (under some contract).
func CanCreateEvents(a *Actor) bool { return a.Can(resEvent, permissions.Create) != deny }

// CanCreateEventFor reports whether a may create an event under k: a signed contract, of one's
// own clients for a commercial (CreateEvent enforces the same).
func CanCreateEventFor(a *Actor, k Contract) bool {
	return k.Status == Signed &&
		a.scopeOn(resEvent, permissions.Create, func() bool { return k.CommercialID == a.id })
}

// EventContractsQuery is the query of the contracts a may create events under: their own
// clients' for a commercial, every one for management.
func EventContractsQuery(a *Actor) ContractQuery {
	return ContractQuery{Mine: a.Can(resEvent, permissions.Create) == own}
}

// CanAssignSupport reports whether a may choose or remove an event's support contact.
func CanAssignSupport(a *Actor) bool { return a.Can(resEvent, permissions.AssignSupport) == all }

// CanDeleteEvent reports whether a may delete events.
func CanDeleteEvent(a *Actor) bool { return a.Can(resEvent, permissions.Delete) == all }

// CanListUsers reports whether a may see the collaborators' list.
func CanListUsers(a *Actor) bool { return a.Can(resUser, permissions.List) != deny }

// CanCreateUser reports whether a may create collaborators.
func CanCreateUser(a *Actor) bool { return a.Can(resUser, permissions.Create) == all }

// CanReadAudit reports whether a may read the audit trail.
func CanReadAudit(a *Actor) bool { return a.Can(permissions.Audit, permissions.Read) != deny }

// Departments lists the departments, in the order the product shows them.
func Departments() []Department { return slices.Clone(permissions.Departments) }

// ActiveCommercials returns the active members of the commercial department among cs: who may
// be named a client's commercial contact.
func ActiveCommercials(cs []Contact) []Contact { return activeIn(cs, Commercial) }

// ActiveSupports returns the active members of the support department among cs: who may be
// named an event's support contact.
func ActiveSupports(cs []Contact) []Contact { return activeIn(cs, Support) }

func activeIn(cs []Contact, d Department) []Contact {
	var out []Contact
	for _, c := range cs {
		if c.Active && c.Department == d {
			out = append(out, c)
		}
	}
	return out
}

// CanCreateTeam reports whether a may publish this database to a team's cluster (TeamCreate).
func CanCreateTeam(a *Actor) bool { return a.Can(permissions.Team, permissions.Create) == all }

// CanLeaveTeam reports whether a may take this laptop out of its team (TeamLeave).
func CanLeaveTeam(a *Actor) bool { return a.Can(permissions.Team, permissions.Leave) == all }

// HomeView is the home tab a collaborator's department sees.
type HomeView int

// The home views.
const (
	// HomeEvents: the support's next events, with the clients' phones to call them.
	HomeEvents HomeView = iota
	// HomeCompany: management's figures of the whole company.
	HomeCompany
	// HomeWork: a commercial's own clients, contracts and events.
	HomeWork
)

// HomeViewOf returns the home view of department d.
func HomeViewOf(d Department) HomeView {
	switch d {
	case Management:
		return HomeCompany
	case Commercial:
		return HomeWork
	}
	return HomeEvents
}
