package oversight

import (
	"net/http"
	"strconv"

	"sunshine/internal/auth"
	"sunshine/internal/httpx"
)

// engineRoutes: the early-warning rules (catalogue, rule sets and their versions) and runs.
func (s *Service) engineRoutes(rt *httpx.Router) {
	rt.Handle("GET /api/v1/alert-rules/checks", auth.AlertRead, func(w http.ResponseWriter, r *http.Request) error {
		httpx.Write(w, http.StatusOK, Checks())
		return nil
	})
	rt.Handle("GET /api/v1/alert-rules", auth.AlertRead, func(w http.ResponseWriter, r *http.Request) error {
		rs, err := s.Rules(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"))
		if err != nil {
			return err
		}
		httpx.Write(w, http.StatusOK, rs)
		return nil
	})
	rt.Handle("GET /api/v1/alert-rules/versions", auth.AlertRead, func(w http.ResponseWriter, r *http.Request) error {
		vs, err := s.RuleVersions(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"))
		if err != nil {
			return err
		}
		httpx.Write(w, http.StatusOK, vs)
		return nil
	})
	rt.Handle("PUT /api/v1/alert-rules", auth.AlertRules, httpx.WithBody(http.StatusOK, s.SetRules))
	rt.Handle("POST /api/v1/alert-runs", auth.AlertRun, httpx.WithBody(http.StatusAccepted, s.StartRun))
	rt.Handle("GET /api/v1/alert-runs", auth.AlertRead, s.handleAlertRuns)
	rt.Handle("GET /api/v1/alert-runs/{id}", auth.AlertRead, httpx.ByID(s.RunByID))
}

func (s *Service) handleAlertRuns(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	after, err := page.AfterID()
	if err != nil {
		return err
	}
	list, err := s.Runs(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"), after, page.Limit+1)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(list, page.Limit, func(x RunInfo) string { return strconv.FormatInt(x.ID, 10) }))
	return nil
}
