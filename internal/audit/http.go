package audit

import (
	"net/http"
	"strconv"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
)

// Routes registers the audit endpoints.
func (s *Service) Routes(rt *httpx.Router) {
	rt.Handle("GET /api/v1/audit", auth.AuditRead, s.handleList)
	rt.Handle("GET /api/v1/audit/verify", auth.AuditVerify, s.handleVerify)
}

func (s *Service) handleList(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	f := Filter{Limit: page.Limit + 1}
	if f.Before, err = page.AfterID(); err != nil {
		return err
	}
	q := r.URL.Query()
	f.EntityType, f.EntityID, f.Action = q.Get("entity_type"), q.Get("entity_id"), q.Get("action")
	if a := q.Get("actor_id"); a != "" {
		if f.ActorID, err = strconv.ParseInt(a, 10, 64); err != nil {
			return errs.Field("actor_id", "应为整数")
		}
	}
	events, err := s.List(r.Context(), auth.From(r.Context()), f)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(events, page.Limit, func(e Event) string { return strconv.FormatInt(e.Seq, 10) }))
	return nil
}

func (s *Service) handleVerify(w http.ResponseWriter, r *http.Request) error {
	res, err := Verify(r.Context(), s.DB.Reader())
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, res)
	return nil
}
