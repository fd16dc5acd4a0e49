package core

import (
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
)

// Kind classifies an Error. Each kind maps to one exit code of the command line (PRODUCT.md §8)
// and to one kind of dialog in the window.
type Kind string

// The error kinds.
const (
	// Invalid: the input breaks a rule of PRODUCT.md §2 (exit code 5).
	Invalid Kind = "invalid"
	// NotFound: no record has that id (exit code 6).
	NotFound Kind = "not_found"
	// Conflict: duplicate, ambiguous id, wrong state, or a record still referenced (exit code 7).
	Conflict Kind = "conflict"
	// Unauthenticated: no or expired session, bad credentials, throttled login (exit code 3).
	Unauthenticated Kind = "unauthenticated"
	// Forbidden: the actor's department or ownership does not allow the action (exit code 4).
	Forbidden Kind = "forbidden"
	// Internal: anything unexpected; the only kind reported to monitoring (exit code 1).
	Internal Kind = "internal"
	// Damaged: a stored record failed its checksum and is not shown (exit code 1). The Error
	// names the record type and id; monitoring gets one event per damaged record.
	Damaged Kind = "damaged"
	// Unavailable: team mode could not reach the cluster in time (PRODUCT.md §9, exit code 8).
	// Local changes are kept and sent later.
	Unavailable Kind = "unavailable"
)

// UnavailableError returns the Unavailable error of a cluster that did not answer; cause is
// kept for logs (it names endpoints, never credentials).
func UnavailableError(cause error) *Error {
	e := NewError(Unavailable, CodeClusterUnreachable)
	e.Err = cause
	return e
}

// Error is the one error type of the product. Message is written for people; Field names the
// input field at fault when Kind is Invalid; Err keeps the cause of an Internal error. Code is a
// stable identifier for code to match (a translation, a test) where one is defined; Record and
// ID name the record a Damaged error is about.
type Error struct {
	Kind    Kind
	Code    Code
	Field   string
	Message string
	// Args fill the text of Code (codeTexts in English, the faces' own texts in other languages).
	Args   []any
	Err    error
	Record RecordType
	ID     uuid.UUID
}

// Error returns the message, prefixed by the field when there is one.
func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil && e.Kind == Internal {
		cause := e.Err.Error()
		switch {
		case msg == "":
			return cause
		case cause != "":
			return msg + ": " + cause
		}
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error of the given kind with a formatted message and no code: for messages
// no face translates. Errors people meet use NewError and a code.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// NewError returns an Error of the given kind and code; its Message is the code's English text
// filled with args.
func NewError(kind Kind, code Code, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: Text(code, args...), Args: args}
}

// FieldError returns an Invalid error of the given code naming field.
func FieldError(field string, code Code, args ...any) *Error {
	e := NewError(Invalid, code, args...)
	e.Field = field
	return e
}

// Text returns the English text of code filled with args; the code itself when it has no text.
func Text(code Code, args ...any) string {
	f, ok := codeTexts[code]
	if !ok {
		return string(code)
	}
	return fmt.Sprintf(f, args...)
}

// Format returns the English text of code as a fmt format ("" when it has none): for the faces'
// tests, which fill each language's text with the same arguments.
func Format(code Code) string { return codeTexts[code] }

// Codes returns every code, for the faces' tests (each needs a text in every language).
func Codes() []Code {
	cs := make([]Code, 0, len(codeTexts))
	for c := range codeTexts {
		cs = append(cs, c)
	}
	slices.Sort(cs)
	return cs
}

// asError returns the *Error in err's chain, if any: the one look-up of every accessor below.
func asError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// CodeOf returns the code of err ("" when it has none).
func CodeOf(err error) Code {
	if e, ok := asError(err); ok {
		return e.Code
	}
	return ""
}

// FieldErrorf returns an Invalid error naming field, without a code: for messages no face
// translates (the command line's own input checks, the sync wire).
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// InternalError wraps an unexpected error with an operation name. A nil err gives nil; an err
// that already is an *Error is returned unchanged, so kinds survive the layers.
func InternalError(op string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := asError(err); ok {
		return err
	}
	return &Error{Kind: Internal, Message: op, Err: err}
}

// KindOf returns the kind of err: "" for nil, Internal for errors that are not *Error.
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	if e, ok := asError(err); ok {
		return e.Kind
	}
	return Internal
}

// FieldOf returns the field an Invalid error names, or "".
func FieldOf(err error) string {
	if e, ok := asError(err); ok {
		return e.Field
	}
	return ""
}

// MessageOf returns the message of err for people: the Error's text for an *Error, a generic
// sentence for anything else (so internal details are not shown as if they were advice).
func MessageOf(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := asError(err); ok {
		switch {
		case e.Kind == Internal && e.Code != "":
			// A coded failure of the database file (in use, damaged, disk full): its message
			// says what to do; the cause stays in Error() for the logs.
			return e.Message
		case e.Kind == Internal:
			return "internal error: " + e.Error()
		}
		return e.Error()
	}
	return "internal error: " + err.Error()
}

// DamagedError returns the Damaged error of a record of type t whose stored bytes fail their
// checksum (id uuid.Nil when the damage is in an index entry and the record is not known).
func DamagedError(t RecordType, id uuid.UUID) *Error {
	e := NewError(Damaged, CodeRecordDamaged, t, id)
	if id == uuid.Nil {
		e = NewError(Damaged, CodeIndexDamaged, t)
	}
	e.Record, e.ID = t, id
	return e
}

// inTheWay passes err on, or returns a Damaged error when a scan that a change depends on left
// out damaged records of type t: deciding without them could break a rule (a client deleted
// while a damaged contract still refers to it).
func inTheWay(t RecordType, hidden int, err error) error {
	if err != nil || hidden == 0 {
		return err
	}
	e := NewError(Damaged, CodeDamagedInTheWay, t)
	e.Record = t
	return e
}

// HiddenMessage is the sentence the faces show beside a list from which n damaged records were
// left out; "" when n is 0.
func HiddenMessage(n int) string {
	switch {
	case n <= 0:
		return ""
	case n == 1:
		return "1 damaged record hidden — run Check"
	}
	return fmt.Sprintf("%d damaged records hidden — run Check", n)
}

func notFound(what string) *Error { return NewError(NotFound, CodeNotFound, what) }

func unauthenticated(code Code, args ...any) *Error { return NewError(Unauthenticated, code, args...) }
