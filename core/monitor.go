package core

import "github.com/google/uuid"

// Monitor receives what PRODUCT.md §5 says is reported: business events and unexpected errors.
// Implementations must not block the caller and must never receive personal data: the services
// pass only ids, departments, action names and field names.
type Monitor interface {
	// Event reports a business event such as a login or a contract signature.
	Event(e MonitorEvent)
	// Error reports an unexpected (Internal) error.
	Error(err error, actor *Actor)
}

// MonitorEvent is one business event for monitoring.
type MonitorEvent struct {
	// Name is a stable identifier, e.g. "login.success", "user.update", "contract.sign".
	Name string
	// Message is a short English sentence without personal data.
	Message string
	// Level is "info" or "warning".
	Level string
	// UserID and Department identify the actor, when there is one.
	UserID     uuid.UUID
	Department Department
	// Tags are extra low-cardinality values (record ids, departments).
	Tags map[string]string
	// Fields names the fields an update changed (names only, never values).
	Fields []string
}

// Monitor event names.
const (
	EventLoginSuccess   = "login.success"
	EventLoginFailure   = "login.failure"
	EventUserCreate     = "user.create"
	EventUserUpdate     = "user.update"
	EventUserDeactivate = "user.deactivate"
	EventUserReactivate = "user.reactivate"
	EventUserDelete     = "user.delete"
	EventContractSign   = "contract.sign"
	EventRecordDamaged  = "record.damaged"
)

// NopMonitor reports nothing. It is the monitor when Sentry is off.
type NopMonitor struct{}

// Event does nothing.
func (NopMonitor) Event(MonitorEvent) {}

// Error does nothing.
func (NopMonitor) Error(error, *Actor) {}
