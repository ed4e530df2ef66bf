package httpx

import (
	"context"
	"net/http"

	"sunshine/internal/auth"
)

// Generic adapters for the shape most domain handlers share: read the path id and/or the
// strictly decoded JSON body, call the service with the request's principal, answer with the
// result. Handlers that need more (query filters, uploads, files) are written out.

// ByID adapts a read of one object by its path id.
func ByID[Out any](fn func(context.Context, *auth.Principal, int64) (Out, error)) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := PathID(r, "id")
		if err != nil {
			return err
		}
		out, err := fn(r.Context(), auth.From(r.Context()), id)
		if err != nil {
			return err
		}
		Write(w, http.StatusOK, out)
		return nil
	}
}

// WithID adapts an operation on the object at the path id with a JSON body.
func WithID[In, Out any](status int, fn func(context.Context, *auth.Principal, int64, In) (Out, error)) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := PathID(r, "id")
		if err != nil {
			return err
		}
		var in In
		if err := Decode(r, &in); err != nil {
			return err
		}
		out, err := fn(r.Context(), auth.From(r.Context()), id, in)
		if err != nil {
			return err
		}
		Write(w, status, out)
		return nil
	}
}

// WithBody adapts an operation with a JSON body and no path id (a create).
func WithBody[In, Out any](status int, fn func(context.Context, *auth.Principal, In) (Out, error)) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in In
		if err := Decode(r, &in); err != nil {
			return err
		}
		out, err := fn(r.Context(), auth.From(r.Context()), in)
		if err != nil {
			return err
		}
		Write(w, status, out)
		return nil
	}
}
