// Package errs holds the one error type every layer returns, so the HTTP layer can map it to a
// status in one table and the user always gets a clear message instead of a stack trace.
package errs

import (
	"errors"
	"fmt"
)

// Code is the machine-readable kind of an error. Keep the set small: clients branch on it.
type Code string

const (
	Invalid      Code = "invalid"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	TooLarge     Code = "too_large"
	Unsupported  Code = "unsupported_media_type"
	Throttled    Code = "throttled"
	Internal     Code = "internal"
)

// Error is an error a user may see: Message is safe to show (Simplified Chinese), Fields names
// the offending input fields with a reason each.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("%s: %s %v", e.Code, e.Message, e.Fields)
}

// E builds an *Error with a formatted message.
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field builds an Invalid error naming one field.
func Field(field, reason string) *Error {
	return &Error{Code: Invalid, Message: fmt.Sprintf("%s: %s", field, reason), Fields: map[string]string{field: reason}}
}

// Missing builds a NotFound error naming the field that pointed at nothing (or at something
// outside the caller's scope, which must look the same).
func Missing(field, reason string) *Error {
	return &Error{Code: NotFound, Message: fmt.Sprintf("%s: %s", field, reason), Fields: map[string]string{field: reason}}
}

// CodeOf returns the code of the first *Error in err's chain, Internal for anything else.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Wrap adds context to a non-nil *errp, keeping the *Error inside reachable with errors.As.
// Use as `defer errs.Wrap(&err, "FindUser(%d)", id)`.
func Wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
	}
}

// Validation collects field errors and turns them into one Invalid error.
type Validation map[string]string

// Add records a reason for a field, keeping the first one.
func (v Validation) Add(field, reason string) {
	if _, ok := v[field]; !ok {
		v[field] = reason
	}
}

// Err returns nil when nothing was recorded.
func (v Validation) Err() error {
	if len(v) == 0 {
		return nil
	}
	msg := "输入有误"
	if len(v) == 1 {
		for f, r := range v {
			msg = f + ": " + r
		}
	}
	return &Error{Code: Invalid, Message: msg, Fields: map[string]string(v)}
}
