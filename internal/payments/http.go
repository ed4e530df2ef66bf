package payments

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
)

// MaxUpload bounds a line file or a return file.
const MaxUpload = 100 << 20

// Routes registers the direct-payment endpoints.
func (s *Service) Routes(rt *httpx.Router) {
	rt.Handle("GET /api/v1/plans", auth.FundRead, s.handlePlans)
	rt.Handle("POST /api/v1/plans", auth.PlanWrite, httpx.WithBody(http.StatusCreated, s.CreatePlan))
	rt.Handle("GET /api/v1/plans/{id}", auth.FundRead, httpx.ByID(s.Plan))
	rt.Handle("GET /api/v1/plans/{id}/lines", auth.FundRead, s.handleLines)
	rt.Handle("POST /api/v1/plans/{id}/lines", auth.PlanWrite, s.handleImportLines)
	rt.Handle("POST /api/v1/plans/{id}/submit", auth.PlanWrite, httpx.WithID(http.StatusOK, s.Submit))
	rt.Handle("POST /api/v1/plans/{id}/approve", auth.PlanApprove, httpx.WithID(http.StatusOK, s.Approve))
	rt.Handle("POST /api/v1/plans/{id}/reject", auth.PlanApprove, httpx.WithID(http.StatusOK, s.Reject))
	rt.Handle("POST /api/v1/plans/{id}/batches", auth.PlanApprove, s.handleCreateBatch)
	rt.Handle("GET /api/v1/batches", auth.FundRead, s.handleBatches)
	rt.Handle("GET /api/v1/batches/{id}", auth.FundRead, httpx.ByID(s.Batch))
	rt.Handle("GET /api/v1/batches/{id}/file", auth.PlanApprove, s.handleBatchFile)
	rt.Handle("POST /api/v1/batches/{id}/return", auth.PlanApprove, s.handleReturn)
	rt.Handle("GET /api/v1/payments/reissue", auth.FundRead, s.handleReissues)
	rt.Handle("POST /api/v1/plan-lines/{id}/reissue", auth.PlanApprove, httpx.WithID(http.StatusOK, s.Reissue))
	rt.Handle("POST /api/v1/plan-lines/{id}/cancel", auth.PlanApprove, httpx.WithID(http.StatusOK, s.Cancel))
}

func (s *Service) handlePlans(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	after, err := page.AfterID()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := PlanFilter{Status: q.Get("status"), Region: q.Get("region"), After: after, Limit: page.Limit}
	if f.FundID, err = httpx.QueryInt(r, "fund"); err != nil {
		return err
	}
	list, err := s.Plans(r.Context(), auth.From(r.Context()), f)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(list, page.Limit, func(p Plan) string { return strconv.FormatInt(p.ID, 10) }))
	return nil
}

func (s *Service) handleLines(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	page, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	after, err := page.AfterID()
	if err != nil {
		return err
	}
	list, err := s.Lines(r.Context(), auth.From(r.Context()), LineFilter{PlanID: id, Status: r.URL.Query().Get("status"),
		After: after, Limit: page.Limit})
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(list, page.Limit, func(l Line) string { return strconv.FormatInt(l.ID, 10) }))
	return nil
}

func (s *Service) handleReissues(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	after, err := page.AfterID()
	if err != nil {
		return err
	}
	list, err := s.Reissues(r.Context(), auth.From(r.Context()), LineFilter{Region: r.URL.Query().Get("region"), After: after, Limit: page.Limit})
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(list, page.Limit, func(l Line) string { return strconv.FormatInt(l.ID, 10) }))
	return nil
}

func (s *Service) handleBatches(w http.ResponseWriter, r *http.Request) error {
	f := BatchFilter{Status: r.URL.Query().Get("status")}
	var err error
	if f.PlanID, err = httpx.QueryInt(r, "plan"); err != nil {
		return err
	}
	list, err := s.Batches(r.Context(), auth.From(r.Context()), f)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.List[Batch]{Items: list})
	return nil
}

func (s *Service) handleCreateBatch(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	b, err := s.CreateBatch(r.Context(), auth.From(r.Context()), id)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusCreated, b)
	return nil
}

func (s *Service) handleBatchFile(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	p, format := auth.From(r.Context()), r.URL.Query().Get("format")
	b, err := s.CheckBatchFile(r.Context(), p, id, format)
	if err != nil {
		return err
	}
	ct, ext := "text/csv; charset=utf-8", ".csv"
	if format == "xlsx" {
		ct, ext = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", `attachment; filename="`+b.BatchRef+"-"+db.Date(time.Now())+ext+`"`)
	h.Set("Cache-Control", "no-store")
	return s.BatchFile(r.Context(), p, id, format, w)
}

// upload reads the multipart field `file`, spooled by net/http beyond 32 MB.
func upload(w http.ResponseWriter, r *http.Request) (io.ReadCloser, string, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return nil, "", errs.E(errs.Unsupported, "请以 multipart/form-data 上传字段 file")
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxUpload+1<<20)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		if strings.Contains(err.Error(), "too large") {
			return nil, "", errs.E(errs.TooLarge, "文件超过 100 MB")
		}
		return nil, "", errs.Field("file", "请以 multipart/form-data 上传字段 file")
	}
	return f, hdr.Filename, nil
}

func (s *Service) handleImportLines(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	// Scope first: a file aimed at another county's plan is refused before it is read.
	if _, err := s.planWritable(r.Context(), auth.From(r.Context()), id); err != nil {
		return err
	}
	f, name, err := upload(w, r)
	if err != nil {
		return err
	}
	defer f.Close()
	rep, err := s.ImportLines(r.Context(), auth.From(r.Context()), id, f, name)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, rep)
	return nil
}

func (s *Service) handleReturn(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := batchFor(r.Context(), s.DB.Reader(), auth.From(r.Context()), id); err != nil {
		return err
	}
	f, name, err := upload(w, r)
	if err != nil {
		return err
	}
	defer f.Close()
	rep, err := s.Reconcile(r.Context(), auth.From(r.Context()), id, f, name)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, rep)
	return nil
}
