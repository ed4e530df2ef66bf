package duty

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
)

// Routes registers the responsibility endpoints.
func (s *Service) Routes(rt *httpx.Router) {
	rt.Handle("GET /api/v1/helpers", auth.HouseholdRead, s.handleList)
	rt.Handle("POST /api/v1/helpers", auth.DutyWrite, httpx.WithBody(http.StatusCreated, s.Create))
	rt.Handle("GET /api/v1/helpers/{id}", auth.HouseholdRead, httpx.ByID(s.File))
	rt.Handle("PUT /api/v1/helpers/{id}", auth.DutyWrite, httpx.WithID(http.StatusOK,
		func(ctx context.Context, p *auth.Principal, id int64, in struct {
			Helper HelperInput `json:"helper"`
			Active bool        `json:"active"`
		}) (Helper, error) {
			return s.Update(ctx, p, id, in.Helper, in.Active)
		}))
	rt.Handle("POST /api/v1/helpers/{id}/reassign", auth.DutyWrite, httpx.WithID(http.StatusOK,
		func(ctx context.Context, p *auth.Principal, id int64, in struct {
			ToHelperID int64  `json:"to_helper_id"`
			FromDate   string `json:"from_date"`
			Reason     string `json:"reason"`
		}) (map[string]int, error) {
			n, err := s.Reassign(ctx, p, id, AssignInput{HelperID: in.ToHelperID, FromDate: in.FromDate, Reason: in.Reason})
			return map[string]int{"moved": n}, err
		}))
	rt.Handle("POST /api/v1/helpers/{id}/account", auth.DutyWrite, httpx.WithID(http.StatusCreated, s.OpenAccount))
	rt.Handle("DELETE /api/v1/helpers/{id}/account", auth.DutyWrite, httpx.ByID(s.CloseAccount))
	rt.Handle("POST /api/v1/households/{id}/helper", auth.DutyWrite, httpx.WithID(http.StatusOK, s.Assign))
	rt.Handle("GET /api/v1/duty/coverage", auth.HouseholdRead, s.handleCoverage)
	rt.Handle("GET /api/v1/duty/villages", auth.HouseholdRead, s.handleVillages)
	rt.Handle("POST /api/v1/work-teams", auth.DutyWrite, httpx.WithBody(http.StatusCreated, s.AddTeam))
	rt.Handle("POST /api/v1/work-teams/{id}/end", auth.DutyWrite, httpx.WithID(http.StatusOK,
		func(ctx context.Context, p *auth.Principal, id int64, in endInput) (WorkTeam, error) {
			return s.EndTeam(ctx, p, id, strings.TrimSpace(in.ToDate))
		}))
	rt.Handle("POST /api/v1/first-secretaries", auth.DutyWrite, httpx.WithBody(http.StatusCreated, s.AddSecretary))
	rt.Handle("GET /api/v1/leaders", auth.HouseholdRead, s.handleLeaders)
	rt.Handle("POST /api/v1/leaders", auth.DutyWrite, httpx.WithBody(http.StatusCreated,
		func(ctx context.Context, p *auth.Principal, in Leader) (Leader, error) {
			in.FromDate = strings.TrimSpace(in.FromDate)
			return s.AddLeader(ctx, p, in)
		}))
	rt.Handle("POST /api/v1/leaders/{id}/end", auth.DutyWrite, httpx.WithID(http.StatusOK,
		func(ctx context.Context, p *auth.Principal, id int64, in endInput) (Leader, error) {
			return s.EndLeader(ctx, p, id, strings.TrimSpace(in.ToDate))
		}))
}

// endInput is the body that ends a team's stationing or a leader's term.
type endInput struct {
	ToDate string `json:"to_date"`
}

func (s *Service) handleLeaders(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Leaders(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"))
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, list)
	return nil
}

func (s *Service) handleVillages(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Villages(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"), r.URL.Query().Get("uncovered") == "1")
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, v)
	return nil
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
	f := HelperFilter{Region: q.Get("region"), Query: strings.TrimSpace(q.Get("q")), After: after, Limit: page.Limit + 1}
	switch q.Get("active") {
	case "":
	case "1", "0":
		a := q.Get("active") == "1"
		f.Active = &a
	default:
		return errs.Field("active", "应为 1 或 0")
	}
	list, err := s.Helpers(r.Context(), auth.From(r.Context()), f)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(list, page.Limit, func(h HelperRow) string { return strconv.FormatInt(h.ID, 10) }))
	return nil
}

func (s *Service) handleCoverage(w http.ResponseWriter, r *http.Request) error {
	maxLoad := 10
	if v := r.URL.Query().Get("max_load"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return errs.Field("max_load", "应为 1 到 1000")
		}
		maxLoad = n
	}
	c, err := s.Coverage(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"), maxLoad)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, c)
	return nil
}
