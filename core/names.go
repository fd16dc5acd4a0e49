package core

import "github.com/epicevents/crm/permissions"

// Short local names for the permissions vocabulary.
type (
	resource = permissions.Resource
	action   = permissions.Action
)

const (
	deny = permissions.Deny
	own  = permissions.Own
	all  = permissions.All

	resUser     = permissions.User
	resClient   = permissions.Client
	resContract = permissions.Contract
	resEvent    = permissions.Event
	resAccount  = permissions.OwnAccount
	resDatabase = permissions.Database
)
