package oversight

import (
	"net/http"

	"sunshine/internal/auth"
	"sunshine/internal/httpx"
)

func (s *Service) caseRoutes(rt *httpx.Router) {
	rt.Handle("POST /api/v1/cases", auth.CaseWrite, httpx.WithBody(http.StatusCreated, s.CreateCase))
	rt.Handle("GET /api/v1/cases", auth.CaseRead, s.handleCases)
	rt.Handle("GET /api/v1/cases/{id}", auth.CaseRead, httpx.ByID(s.Case))
}

func (s *Service) handleCases(w http.ResponseWriter, r *http.Request) error {
	pg, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	f := CaseFilter{Region: r.URL.Query().Get("region"), Limit: pg.Limit}
	if f.After, err = pg.AfterID(); err != nil {
		return err
	}
	rows, err := s.Cases(r.Context(), auth.From(r.Context()), f)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(rows, pg.Limit, caseCursor))
	return nil
}
