package core

import (
	"github.com/google/uuid"

	"github.com/epicevents/crm/permissions"
)

// ClientRelated is what a client's page lists below the client: its contracts, newest first,
// and the events of those contracts, contract by contract, each contract's events by start.
type ClientRelated struct {
	Contracts []Contract
	Events    []Event
	// Hidden counts the damaged contracts and events left out. The events of a damaged
	// contract are left out with it (they are not counted): nothing names their contract.
	Hidden int
}

// ClientRelated returns a client's contracts and their events in one read transaction: the
// same records, in the same order, as ListContracts with the client's id followed by
// ListEvents for each listed contract, under the same permissions (listing contracts, then
// listing events). When the actor may list contracts but not events, the contracts come back
// with the Forbidden error. Errors: Unauthenticated, Forbidden.
func (s *Service) ClientRelated(a *Actor, clientID uuid.UUID) (ClientRelated, error) {
	if err := authorize(a, resContract, permissions.List, "list contracts"); err != nil {
		return ClientRelated{}, err
	}
	canEvents := authorize(a, resEvent, permissions.List, "list events")
	r, err := viewOne(s, a, "list a client's contracts and events", func(tx Tx) (ClientRelated, error) {
		var r ClientRelated
		var err error
		r.Contracts, r.Hidden, err = tx.Contracts(ContractFilter{ClientID: clientID})
		SortContracts(r.Contracts)
		if err != nil || canEvents != nil {
			return r, err
		}
		for _, k := range r.Contracts {
			evs, hidden, err := tx.Events(EventFilter{ContractID: k.ID})
			if err != nil {
				return r, err
			}
			SortEvents(evs)
			r.Events = append(r.Events, evs...)
			r.Hidden += hidden
		}
		return r, nil
	})
	if err == nil {
		err = canEvents
	}
	return r, err
}
