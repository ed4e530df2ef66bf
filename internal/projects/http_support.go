package projects

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
	"sunshine/internal/registry"
)

func (s *Service) supportRoutes(rt *httpx.Router) {
	rt.Handle("GET /api/v1/projects/{id}/beneficiaries", auth.ProjectRead, httpx.ByID(s.Beneficiaries))
	rt.Handle("POST /api/v1/projects/{id}/beneficiaries", auth.ProjectWrite, httpx.WithID(http.StatusCreated, s.AddBeneficiary))
	rt.Handle("POST /api/v1/project-beneficiaries/{id}/review", auth.ProjectSign, httpx.WithID(http.StatusOK, s.ReviewBeneficiary))
	rt.Handle("GET /api/v1/projects/{id}/risks", auth.ProjectRead, httpx.ByID(s.Risks))
	rt.Handle("POST /api/v1/projects/{id}/risks", auth.ProjectWrite, httpx.WithID(http.StatusCreated, s.AddRisk))
	rt.Handle("POST /api/v1/project-risks/{id}/close", auth.ProjectWrite, httpx.WithID(http.StatusOK, s.CloseRisk))
	rt.Handle("GET /api/v1/projects/{id}/tolerances", auth.ProjectRead, httpx.ByID(s.Tolerances))
	rt.Handle("POST /api/v1/projects/{id}/tolerances", auth.ProjectWrite, httpx.WithID(http.StatusCreated, s.RequestTolerance))
	rt.Handle("POST /api/v1/project-tolerances/{id}/decide", auth.ProjectSign, httpx.WithID(http.StatusOK, s.DecideTolerance))
	rt.Handle("GET /api/v1/village-plans", auth.ProjectRead, s.handlePlans)
	rt.Handle("POST /api/v1/village-plans", auth.ProjectWrite, httpx.WithBody(http.StatusCreated, s.CreatePlan))
	rt.Handle("GET /api/v1/village-plans/{id}", auth.ProjectRead, httpx.ByID(s.Plan))
	rt.Handle("POST /api/v1/village-plans/{id}/attachment", auth.ProjectWrite, s.handlePlanAttach)
	rt.Handle("GET /api/v1/village-plans/{id}/attachment", auth.ProjectRead, s.handlePlanFile)
	rt.Handle("POST /api/v1/village-plans/{id}/file", auth.ProjectWrite, httpx.WithID(http.StatusOK,
		func(ctx context.Context, p *auth.Principal, id int64, in struct {
			Version int `json:"version"`
		}) (VillagePlan, error) {
			return s.FilePlan(ctx, p, id, in.Version)
		}))
	rt.Handle("POST /api/v1/village-plans/{id}/decide", auth.ProjectSign, httpx.WithID(http.StatusOK, s.DecidePlan))
}

func (s *Service) handlePlans(w http.ResponseWriter, r *http.Request) error {
	pg, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := PlanFilter{Region: q.Get("region"), Status: q.Get("status"), Limit: pg.Limit}
	if f.After, err = pg.AfterID(); err != nil {
		return err
	}
	if y := q.Get("year"); y != "" {
		if f.Year, err = strconv.Atoi(y); err != nil || f.Year < 2000 || f.Year > 2099 {
			return errs.Field("year", "应为 2000 到 2099 之间的年份")
		}
	}
	rows, err := s.Plans(r.Context(), auth.From(r.Context()), f)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(rows, pg.Limit, func(v VillagePlan) string { return strconv.FormatInt(v.ID, 10) }))
	return nil
}

func (s *Service) handlePlanAttach(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	// scope and status first: a caller who may not attach learns nothing from reading the upload
	p := auth.From(r.Context())
	if err := p.Require(auth.ProjectWrite); err != nil {
		return err
	}
	if _, err := villagePlanFor(r.Context(), s.DB.Reader(), p, id); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, registry.MaxAttachment+1<<20)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		if strings.Contains(err.Error(), "too large") {
			return errs.E(errs.TooLarge, "附件超过 %d MB", registry.MaxAttachment>>20)
		}
		return errs.Field("file", "请以 multipart/form-data 上传字段 file")
	}
	defer f.Close()
	a, data, err := registry.ReadFile(hdr.Filename, f, registry.MaxAttachment)
	if err != nil {
		return err
	}
	pl, err := s.AttachPlan(r.Context(), p, id, a, data)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, pl)
	return nil
}

func (s *Service) handlePlanFile(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	a, data, err := s.PlanFile(r.Context(), auth.From(r.Context()), id)
	if err != nil {
		return err
	}
	registry.ServeFile(w, a, data)
	return nil
}
