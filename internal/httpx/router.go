package httpx

import (
	"log/slog"
	"net/http"
	"strings"

	"sunshine/internal/auth"
)

// HandlerFunc is a handler that returns its error instead of writing it.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Route is one registered API route with the action it requires ("" = public or any signed-in
// user, see Public), so tests can walk every route with every role.
type Route struct {
	Method  string
	Pattern string
	Action  auth.Action
	Public  bool
}

// Router wraps http.ServeMux, recording routes for the OpenAPI and permission tests.
type Router struct {
	Mux    *http.ServeMux
	Log    *slog.Logger
	Routes []Route
}

// NewRouter returns an empty router.
func NewRouter(log *slog.Logger) *Router {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		Write(w, http.StatusNotFound, ErrorBody{Code: "not_found", Message: "接口不存在: " + r.Method + " " + r.URL.Path})
	})
	return &Router{Mux: mux, Log: log}
}

// Handle registers an API route that needs a signed-in principal allowed to do action. The
// handler still checks region scope on the rows it touches; this is the first gate.
func (rt *Router) Handle(pattern string, action auth.Action, h HandlerFunc) {
	rt.add(pattern, action, false, func(w http.ResponseWriter, r *http.Request) error {
		p := auth.From(r.Context())
		if action == "" {
			if p == nil {
				return errUnauthorized
			}
		} else if err := p.Require(action); err != nil {
			return err
		}
		return h(w, r)
	})
}

// HandlePublic registers a route anyone may call.
func (rt *Router) HandlePublic(pattern string, h HandlerFunc) { rt.add(pattern, "", true, h) }

func (rt *Router) add(pattern string, action auth.Action, public bool, h HandlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	rt.Routes = append(rt.Routes, Route{Method: method, Pattern: path, Action: action, Public: public})
	rt.Mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			Error(w, r, rt.Log, err)
		}
	})
}
