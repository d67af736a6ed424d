// Package sijil holds what every part of Sijil shares: the error type that
// carries a kind and a user-safe message from the domain packages to the
// web and command-line boundaries.
package sijil

import (
	"errors"
	"fmt"
)

// Kind says what sort of failure an error is, so that each boundary can
// answer it the same way (an HTTP status, an exit code).
type Kind int

// The kinds of error. Internal is the zero value on purpose: an error that
// nobody classified is treated as the server's fault.
const (
	Internal     Kind = iota // a bug or a failed dependency; details are logged, not shown
	Invalid                  // the input is wrong; the message says how to fix it
	NotFound                 // the thing asked for does not exist
	Conflict                 // the request clashes with the current state
	TooLarge                 // the input is bigger than Sijil accepts
	Unauthorized             // the caller must sign in
	Forbidden                // the caller may not do this
	Unavailable              // a dependency is down; trying again later may work
)

// Error is a failure with a kind and a message safe to show to the user.
// Key names the message in the translation catalogs; Message is its English
// text with the details filled in. Err, when set, is the cause, for logs
// only. Field, when set, names the input the error is about, in the words
// of the package that made it (certs says "plot", "floors"), so that a
// form can show the error next to that input.
type Error struct {
	Kind    Kind
	Key     string
	Message string
	Err     error
	Field   string
}

// Errorf returns an Error of the kind, with a message key and an English
// message formatted from format and args. A %w verb in format wraps the
// cause.
func Errorf(kind Kind, key, format string, args ...any) *Error {
	wrapped := fmt.Errorf(format, args...)
	return &Error{Kind: kind, Key: key, Message: wrapped.Error(), Err: errors.Unwrap(wrapped)}
}

func (e *Error) Error() string { return e.Message }

// In returns a copy of e about the input field; e itself is left as it
// was, since the same error may be shared.
func (e *Error) In(field string) *Error {
	c := *e
	c.Field = field
	return &c
}

func (e *Error) Unwrap() error { return e.Err }

// EachJoined calls fn with each error that errors.Join joined into err,
// however deeply, in order, and with err itself when it joins none: the
// problems a form shows one by one beside their fields.
func EachJoined(err error, fn func(error)) {
	if err == nil {
		return
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			EachJoined(e, fn)
		}
		return
	}
	fn(err)
}

// KindOf returns the kind of the first Error in err's chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// UserMessage returns the key and English message of the first Error in
// err's chain. For an unclassified error it returns a generic message, so
// that internal details never reach a user.
func UserMessage(err error) (key, message string) {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		return e.Key, e.Message
	}
	return "internal", "Something went wrong on our side. Please try again later."
}
