package registry

import (
	"net/http"
	"strconv"

	"sunshine/internal/auth"
	"sunshine/internal/httpx"
)

// Routes registers the registry endpoints.
func (s *Service) Routes(rt *httpx.Router) {
	rt.Handle("GET /api/v1/households", auth.HouseholdRead, s.handleList)
}

func (s *Service) handleList(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	after, err := page.AfterID()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	rows, err := s.List(r.Context(), auth.From(r.Context()), Filter{
		Region: q.Get("region"), Status: Status(q.Get("status")), Query: q.Get("q"), After: after, Limit: page.Limit + 1,
	})
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(rows, page.Limit, func(h HouseholdRow) string { return strconv.FormatInt(h.ID, 10) }))
	return nil
}
