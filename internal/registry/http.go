package registry

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
	"sunshine/internal/regioncode"
)

// Routes registers the registry endpoints.
func (s *Service) Routes(rt *httpx.Router) {
	rt.Handle("GET /api/v1/households", auth.HouseholdRead, s.handleList)
	rt.Handle("POST /api/v1/households", auth.HouseholdWrite, s.handleCreate)
	rt.Handle("GET /api/v1/households/{id}", auth.HouseholdRead, httpx.ByID(s.File))
	rt.Handle("PUT /api/v1/households/{id}", auth.HouseholdWrite, httpx.WithID(http.StatusOK,
		func(ctx context.Context, p *auth.Principal, id int64, in struct {
			Version   int64          `json:"version"`
			Household HouseholdInput `json:"household"`
		}) (Household, error) {
			return s.Update(ctx, p, id, in.Version, in.Household)
		}))
	rt.Handle("POST /api/v1/households/{id}/members", auth.HouseholdWrite, httpx.WithID(http.StatusCreated, s.AddMember))
	rt.Handle("PUT /api/v1/members/{id}", auth.HouseholdWrite, httpx.WithID(http.StatusOK, s.UpdateMember))
	rt.Handle("POST /api/v1/members/{id}/leave", auth.HouseholdWrite, httpx.WithID(http.StatusOK,
		func(ctx context.Context, p *auth.Principal, id int64, in struct{ On, Reason string }) (Member, error) {
			return s.LeaveMember(ctx, p, id, strings.TrimSpace(in.On), strings.TrimSpace(in.Reason))
		}))
	rt.Handle("POST /api/v1/households/{id}/procedures", auth.ProcedureStart, httpx.WithID(http.StatusCreated,
		func(ctx context.Context, p *auth.Principal, id int64, in struct {
			Kind   ProcKind `json:"kind"`
			Reason string   `json:"reason"`
		}) (Procedure, error) {
			return s.Start(ctx, p, id, in.Kind, in.Reason)
		}))
	rt.Handle("GET /api/v1/procedures", auth.HouseholdRead, s.handleProcedures)
	rt.Handle("GET /api/v1/procedures/{id}", auth.HouseholdRead, httpx.ByID(s.Procedure))
	rt.Handle("POST /api/v1/procedures/{id}/sign", auth.ProcedureSign, httpx.WithID(http.StatusOK, s.Sign))
	rt.Handle("POST /api/v1/procedures/{id}/notices", auth.ProcedureSign, httpx.WithID(http.StatusCreated,
		func(ctx context.Context, p *auth.Principal, id int64, in struct{ Title, Body string }) (Notice, error) {
			return s.Publish(ctx, p, id, in.Title, in.Body)
		}))
	rt.Handle("POST /api/v1/procedures/{id}/objections", auth.ObjectionLodge, httpx.WithID(http.StatusCreated,
		func(ctx context.Context, p *auth.Principal, id int64, in struct{ Content, Contact string }) (Objection, error) {
			return s.Object(ctx, p, id, in.Content, in.Contact)
		}))
	rt.Handle("POST /api/v1/procedures/{id}/cancel", auth.ProcedureStart, httpx.WithID(http.StatusOK,
		func(ctx context.Context, p *auth.Principal, id int64, in struct{ Reason string }) (Procedure, error) {
			return s.Cancel(ctx, p, id, in.Reason)
		}))
	rt.Handle("POST /api/v1/objections/{id}/answer", auth.HouseholdWrite, httpx.WithID(http.StatusOK,
		func(ctx context.Context, p *auth.Principal, id int64, in struct{ Answer string }) (Objection, error) {
			return s.Answer(ctx, p, id, in.Answer)
		}))
	rt.Handle("GET /api/v1/procedure-defs", auth.HouseholdRead, s.handleDefs)
	rt.Handle("PUT /api/v1/procedure-defs/{kind}", auth.ProcedureDefine, s.handleDefine)
	rt.Handle("POST /api/v1/attachments", auth.ProcedureSign, s.handleUpload)
	rt.Handle("GET /api/v1/attachments/{id}", auth.HouseholdRead, s.handleAttachment)
	rt.Handle("GET /api/v1/income-lines", auth.HouseholdRead, s.handleLines)
	rt.Handle("PUT /api/v1/income-lines/{year}", auth.IncomeLineWrite, s.handleSetLine)
	rt.Handle("GET /api/v1/adjustment", auth.HouseholdRead, s.handleAdjust)
	rt.Handle("POST /api/v1/adjustment/exits", auth.ProcedureStart, s.handleStartExits)
	rt.Handle("GET /api/v1/registry/stats", auth.HouseholdRead, s.handleStats)
}

func (s *Service) handleList(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	after, err := parseCursor(page.After)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := Filter{Region: q.Get("region"), Status: Status(q.Get("status")), Type: Type(q.Get("type")), Cause: q.Get("cause"),
		Gap: q.Get("gap"), Query: strings.TrimSpace(q.Get("q")), NoHelper: q.Get("no_helper") == "1", After: after, Limit: page.Limit + 1}
	if f.IncomeMin, err = optInt(q.Get("income_min"), "income_min"); err != nil {
		return err
	}
	if f.IncomeMax, err = optInt(q.Get("income_max"), "income_max"); err != nil {
		return err
	}
	rows, err := s.List(r.Context(), auth.From(r.Context()), f)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(rows, page.Limit, func(h HouseholdRow) string {
		return h.RegionCode + "-" + strconv.FormatInt(h.ID, 10)
	}))
	return nil
}

// parseCursor reads "regioncode-id" (the list's keyset position).
func parseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	code, id, ok := strings.Cut(s, "-")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || !regioncode.Valid(code) || err != nil || n < 0 {
		return Cursor{}, errs.Field("after", "分页游标无效")
	}
	return Cursor{Region: code, ID: n}, nil
}

func optInt(s, field string) (*int64, error) {
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return nil, errs.Field(field, "应为非负整数(分)")
	}
	return &n, nil
}

func (s *Service) handleCreate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Household HouseholdInput `json:"household"`
		Members   []MemberInput  `json:"members"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	p := auth.From(r.Context())
	id, err := s.Create(r.Context(), p, in.Household, in.Members)
	if err != nil {
		return err
	}
	f, err := s.File(r.Context(), p, id)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusCreated, f)
	return nil
}

func (s *Service) handleProcedures(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	after, err := page.AfterID()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := s.Procedures(r.Context(), auth.From(r.Context()), ProcFilter{Region: q.Get("region"), Kind: ProcKind(q.Get("kind")),
		Status: ProcStatus(q.Get("status")), Inbox: q.Get("inbox") == "1" || q.Get("inbox") == "true", After: after, Limit: page.Limit + 1})
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(list, page.Limit, func(p Procedure) string { return strconv.FormatInt(p.ID, 10) }))
	return nil
}

func (s *Service) handleDefs(w http.ResponseWriter, r *http.Request) error {
	defs, err := s.Definitions(r.Context())
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, defs)
	return nil
}

func (s *Service) handleDefine(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Steps []Step `json:"steps"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	d, err := s.Define(r.Context(), auth.From(r.Context()), ProcKind(r.PathValue("kind")), in.Steps)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, d)
	return nil
}

func (s *Service) handleUpload(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxAttachment+1<<20)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		if strings.Contains(err.Error(), "too large") {
			return errs.E(errs.TooLarge, "附件超过 10 MB")
		}
		return errs.Field("file", "请以 multipart/form-data 上传字段 file")
	}
	defer f.Close()
	a, err := s.Upload(r.Context(), auth.From(r.Context()), hdr.Filename, f)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusCreated, a)
	return nil
}

func (s *Service) handleAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	a, data, err := s.Attachment(r.Context(), auth.From(r.Context()), id)
	if err != nil {
		return err
	}
	ServeFile(w, a, data)
	return nil
}

func (s *Service) handleLines(w http.ResponseWriter, r *http.Request) error {
	ls, err := s.IncomeLines(r.Context(), auth.From(r.Context()))
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, ls)
	return nil
}

func (s *Service) handleSetLine(w http.ResponseWriter, r *http.Request) error {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		return errs.Field("year", "应为年份")
	}
	var in struct {
		RegionCode string `json:"region_code"`
		LineFen    int64  `json:"line_fen"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	l, err := s.SetLine(r.Context(), auth.From(r.Context()), IncomeLine{Year: year, RegionCode: in.RegionCode, LineFen: in.LineFen})
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, l)
	return nil
}

func (s *Service) handleAdjust(w http.ResponseWriter, r *http.Request) error {
	year, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil {
		return errs.Field("year", "应为年份")
	}
	a, err := s.Adjust(r.Context(), auth.From(r.Context()), year, r.URL.Query().Get("region"))
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, a)
	return nil
}

func (s *Service) handleStartExits(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Year         int     `json:"year"`
		HouseholdIDs []int64 `json:"household_ids"`
		Reason       string  `json:"reason"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	ids, err := s.StartExits(r.Context(), auth.From(r.Context()), in.Year, in.HouseholdIDs, in.Reason)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, map[string]any{"started": len(ids), "procedures": ids})
	return nil
}

func (s *Service) handleStats(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Stats(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"))
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, st)
	return nil
}
