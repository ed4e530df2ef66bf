package duty

import (
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
	rt.Handle("POST /api/v1/helpers", auth.DutyWrite, s.handleCreate)
	rt.Handle("GET /api/v1/helpers/{id}", auth.HouseholdRead, s.handleFile)
	rt.Handle("PUT /api/v1/helpers/{id}", auth.DutyWrite, s.handleUpdate)
	rt.Handle("POST /api/v1/helpers/{id}/reassign", auth.DutyWrite, s.handleReassign)
	rt.Handle("POST /api/v1/households/{id}/helper", auth.DutyWrite, s.handleAssign)
	rt.Handle("GET /api/v1/duty/coverage", auth.HouseholdRead, s.handleCoverage)
	rt.Handle("GET /api/v1/duty/villages", auth.HouseholdRead, s.handleVillages)
	rt.Handle("POST /api/v1/work-teams", auth.DutyWrite, s.handleAddTeam)
	rt.Handle("POST /api/v1/work-teams/{id}/end", auth.DutyWrite, s.handleEndTeam)
	rt.Handle("POST /api/v1/first-secretaries", auth.DutyWrite, s.handleAddSecretary)
	rt.Handle("GET /api/v1/leaders", auth.HouseholdRead, s.handleLeaders)
	rt.Handle("POST /api/v1/leaders", auth.DutyWrite, s.handleAddLeader)
	rt.Handle("POST /api/v1/leaders/{id}/end", auth.DutyWrite, s.handleEndLeader)
}

func (s *Service) handleLeaders(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Leaders(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"))
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, list)
	return nil
}

func (s *Service) handleAddLeader(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		RegionCode string `json:"region_code"`
		Name       string `json:"name"`
		Position   string `json:"position"`
		Phone      string `json:"phone"`
		FromDate   string `json:"from_date"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	l, err := s.AddLeader(r.Context(), auth.From(r.Context()), Leader{RegionCode: in.RegionCode, Name: in.Name, Position: in.Position,
		Phone: in.Phone, FromDate: strings.TrimSpace(in.FromDate)})
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusCreated, l)
	return nil
}

func (s *Service) handleEndLeader(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		ToDate string `json:"to_date"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	l, err := s.EndLeader(r.Context(), auth.From(r.Context()), id, strings.TrimSpace(in.ToDate))
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, l)
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

func (s *Service) handleAddTeam(w http.ResponseWriter, r *http.Request) error {
	var in WorkTeam
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	t, err := s.AddTeam(r.Context(), auth.From(r.Context()), in)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusCreated, t)
	return nil
}

func (s *Service) handleEndTeam(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		ToDate string `json:"to_date"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	t, err := s.EndTeam(r.Context(), auth.From(r.Context()), id, strings.TrimSpace(in.ToDate))
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, t)
	return nil
}

func (s *Service) handleAddSecretary(w http.ResponseWriter, r *http.Request) error {
	var in Secretary
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	sec, err := s.AddSecretary(r.Context(), auth.From(r.Context()), in)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusCreated, sec)
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

func (s *Service) handleCreate(w http.ResponseWriter, r *http.Request) error {
	var in HelperInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	h, err := s.Create(r.Context(), auth.From(r.Context()), in)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusCreated, h)
	return nil
}

func (s *Service) handleFile(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	f, err := s.File(r.Context(), auth.From(r.Context()), id)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, f)
	return nil
}

func (s *Service) handleUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Helper HelperInput `json:"helper"`
		Active bool        `json:"active"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	h, err := s.Update(r.Context(), auth.From(r.Context()), id, in.Helper, in.Active)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, h)
	return nil
}

func (s *Service) handleReassign(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		ToHelperID int64  `json:"to_helper_id"`
		FromDate   string `json:"from_date"`
		Reason     string `json:"reason"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	n, err := s.Reassign(r.Context(), auth.From(r.Context()), id, AssignInput{HelperID: in.ToHelperID, FromDate: in.FromDate, Reason: in.Reason})
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, map[string]int{"moved": n})
	return nil
}

func (s *Service) handleAssign(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in AssignInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	a, err := s.Assign(r.Context(), auth.From(r.Context()), id, in)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, a)
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
