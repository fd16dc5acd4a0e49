package core

import (
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// SummaryTx reads the figures of the home tab and the lines of the agenda from the indexes,
// without building whole records (issue #14).
type SummaryTx interface {
	// ClientCounts counts the clients of each commercial (of one when commercial is not
	// uuid.Nil) from the index by commercial, without reading a client.
	ClientCounts(commercial uuid.UUID) (map[uuid.UUID]int, error)
	// ContractTotals counts the contracts that pass f (Search ignored) and sums their amounts
	// due; damaged contracts are counted in Hidden.
	ContractTotals(f ContractFilter) (ContractTotals, error)
	// EventLines returns the events that pass f (Search ignored) as agenda lines, in no
	// particular order, and how many damaged events were skipped. A start range is read from
	// the index by start.
	EventLines(f EventFilter) (lines []EventLine, hidden int, err error)
}

// ContractTotals is a count of contracts and the sum of their amounts due.
type ContractTotals struct {
	Count  int
	Due    decimal.Decimal
	Hidden int // damaged contracts left out
}

// EventLine is an event as the agenda and the home tab show it: no attendees, no notes.
type EventLine struct {
	ID         uuid.UUID
	ContractID uuid.UUID
	ClientID   uuid.UUID
	SupportID  uuid.UUID // uuid.Nil: no support yet
	Name       string
	Location   string
	Start, End time.Time
}

// SortEventLines puts lines in the order of SortEvents: by start, then name.
func SortEventLines(l []EventLine) {
	sortByKey(l, func(e *EventLine) eventKey { return eventKey{timeKeyOf(e.Start), e.Name} }, eventKey.compare)
}
