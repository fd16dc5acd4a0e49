// Package permissions holds the table of PRODUCT.md §3: for each department, resource and
// action, whether the action is denied, allowed on the actor's own records, or allowed on all.
//
// It answers only "who may do what". Business conditions that are not about who acts (a contract
// must be signed before an event is created, a client with contracts cannot be deleted) live in
// package core. This package depends on the standard library only.
package permissions

import "strings"

// Department is one of the three departments of Epic Events.
type Department string

// The departments.
const (
	Commercial Department = "commercial"
	Support    Department = "support"
	Management Department = "management"
)

// Departments lists every department, in the order the product shows them.
var Departments = []Department{Commercial, Support, Management}

// Resource is a kind of record an action applies to.
type Resource string

// The resources.
const (
	User     Resource = "user"
	Client   Resource = "client"
	Contract Resource = "contract"
	Event    Resource = "event"
	// OwnAccount is the actor's own collaborator account.
	OwnAccount Resource = "own_account"
	// Audit is the audit trail of PRODUCT.md §5.
	Audit Resource = "audit"
	// Database is the database file as a whole: its backups, restores, checks, indexes and
	// generated test data.
	Database Resource = "database"
	// Team is this laptop's membership of the team's cluster (PRODUCT.md §9): creating the
	// team, leaving it, syncing, its status, and the etcd identities of collaborators.
	Team Resource = "team"
	// SyncConflict is a local change that the cluster could not take as it was (§9
	// "Conflicts"). Own: the conflicts of changes the actor made.
	SyncConflict Resource = "sync_conflict"
)

// Resources lists every resource.
var Resources = []Resource{User, Client, Contract, Event, OwnAccount, Audit, Database, Team, SyncConflict}

// Action is something an actor does to a resource.
type Action string

// The actions.
const (
	Read           Action = "read"
	List           Action = "list"
	Create         Action = "create"
	Update         Action = "update"
	Delete         Action = "delete"
	Deactivate     Action = "deactivate"
	ResetPassword  Action = "reset_password"
	ChangePassword Action = "change_password"
	Reassign       Action = "reassign"
	Sign           Action = "sign"
	Cancel         Action = "cancel"
	AssignSupport  Action = "assign_support"

	// The actions on the Database resource.

	// Backup writes a copy of the database to a file.
	Backup Action = "backup"
	// Restore puts a backup in place of the database.
	Restore Action = "restore"
	// Check verifies the database file and its indexes.
	Check Action = "check"
	// Reindex rebuilds every index from the records.
	Reindex Action = "reindex"
	// Repair rebuilds the indexes and restores damaged records (issue #13).
	Repair Action = "repair"
	// Generate fills the database with test records.
	Generate Action = "generate"

	// The actions on the Team and SyncConflict resources (Create, Read and List apply too).

	// Sync pushes this laptop's outbox and pulls colleagues' changes.
	Sync Action = "sync"
	// Leave turns this laptop back to solo mode, keeping its copy.
	Leave Action = "leave"
	// Issue makes a collaborator's etcd identity (a client certificate of the team CA).
	Issue Action = "issue"
	// Resolve settles a sync conflict: keep mine, keep theirs, or an edited value.
	Resolve Action = "resolve"
)

// Actions lists every action.
var Actions = []Action{Read, List, Create, Update, Delete, Deactivate, ResetPassword,
	ChangePassword, Reassign, Sign, Cancel, AssignSupport, Backup, Restore, Check, Reindex, Repair,
	Generate, Sync, Leave, Issue, Resolve}

// Scope says how far an action is allowed.
type Scope int

// The scopes. Own means: on records the actor is the contact of — for a client or contract, its
// commercial contact; for an event, its support contact when updating and the commercial contact
// of its contract when creating; for the own account, the actor's own account.
const (
	Deny Scope = iota
	Own
	All
)

// String returns "deny", "own" or "all".
func (s Scope) String() string {
	switch s {
	case Own:
		return "own"
	case All:
		return "all"
	default:
		return "deny"
	}
}

type rules map[Resource]map[Action]Scope

// table is PRODUCT.md §3, one department at a time. A missing cell is Deny.
var table = map[Department]rules{
	Commercial: {
		User:       {},
		OwnAccount: {Read: Own, ChangePassword: Own},
		Client:     {Read: All, List: All, Create: Own, Update: Own},
		Contract:   {Read: All, List: All, Update: Own},
		Event:      {Read: All, List: All, Create: Own},
		// §9: anyone logged in syncs and sees the status; conflicts are theirs to settle.
		Team:         {Read: All, Sync: All},
		SyncConflict: {Read: Own, List: Own, Resolve: Own},
	},
	Support: {
		User:         {},
		OwnAccount:   {Read: Own, ChangePassword: Own},
		Client:       {Read: All, List: All},
		Contract:     {Read: All, List: All},
		Event:        {Read: All, List: All, Update: Own},
		Team:         {Read: All, Sync: All},
		SyncConflict: {Read: Own, List: Own, Resolve: Own},
	},
	Management: {
		User: {Read: All, List: All, Create: All, Update: All, Delete: All, Deactivate: All,
			ResetPassword: All},
		OwnAccount: {Read: Own, ChangePassword: Own},
		Client:     {Read: All, List: All, Create: All, Update: All, Reassign: All, Delete: All},
		Contract: {Read: All, List: All, Create: All, Update: All, Sign: All, Cancel: All,
			Delete: All},
		Event: {Read: All, List: All, Create: All, Update: All, AssignSupport: All, Delete: All},
		Audit: {Read: All, List: All},
		// Backups hold every password hash and the personal data of every client: only
		// management takes them, restores them or runs the maintenance commands.
		Database: {Backup: All, Restore: All, Check: All, Reindex: All, Repair: All, Generate: All},
		// §9: management publishes the dataset (team create), takes a laptop out of the team
		// and issues each collaborator's etcd identity; it settles anyone's conflicts.
		Team:         {Read: All, Sync: All, Create: All, Leave: All, Issue: All},
		SyncConflict: {Read: All, List: All, Resolve: All},
	},
}

// Allowed returns the scope of action on resource for a member of department. Unknown
// departments, resources or actions are denied.
func Allowed(d Department, r Resource, a Action) Scope {
	return table[d][r][a]
}

// ParseDepartment accepts a department name as people type it: "commercial", "support",
// "management" or its French name "gestion", in any case and with surrounding spaces.
func ParseDepartment(s string) (Department, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "commercial":
		return Commercial, true
	case "support":
		return Support, true
	case "management", "gestion":
		return Management, true
	}
	return "", false
}
