package crosscheck

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
	"sunshine/internal/regioncode"
)

// Routes registers the cross-check endpoints.
func (s *Service) Routes(rt *httpx.Router) {
	if s.Log == nil {
		s.Log = rt.Log
	}
	rt.Handle("GET /api/v1/crosscheck/kinds", auth.DoubtRead, func(w http.ResponseWriter, r *http.Request) error {
		httpx.Write(w, http.StatusOK, Catalogue{Kinds: Kinds(), Checks: Checks()})
		return nil
	})
	rt.Handle("GET /api/v1/datasets", auth.DoubtRead, s.handleDatasets)
	rt.Handle("POST /api/v1/datasets", auth.CrosscheckRun, s.handleAddDataset)
	rt.Handle("GET /api/v1/datasets/{id}", auth.DoubtRead, httpx.ByID(s.Dataset))
	rt.Handle("POST /api/v1/datasets/{id}/retire", auth.CrosscheckRun, httpx.WithID(http.StatusOK, s.RetireDataset))
	rt.Handle("GET /api/v1/crosscheck/jobs/{id}", auth.CrosscheckRun, func(w http.ResponseWriter, r *http.Request) error {
		j, err := s.Job(r.Context(), auth.From(r.Context()), r.PathValue("id"))
		if err != nil {
			return err
		}
		httpx.Write(w, http.StatusOK, j)
		return nil
	})
	rt.Handle("GET /api/v1/crosscheck/rules", auth.DoubtRead, func(w http.ResponseWriter, r *http.Request) error {
		rs, err := s.Rules(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"))
		if err != nil {
			return err
		}
		httpx.Write(w, http.StatusOK, rs)
		return nil
	})
	rt.Handle("GET /api/v1/crosscheck/rules/versions", auth.DoubtRead, func(w http.ResponseWriter, r *http.Request) error {
		vs, err := s.RuleVersions(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"))
		if err != nil {
			return err
		}
		httpx.Write(w, http.StatusOK, vs)
		return nil
	})
	rt.Handle("PUT /api/v1/crosscheck/rules", auth.CrosscheckRules, httpx.WithBody(http.StatusOK, s.SetRules))
	rt.Handle("POST /api/v1/crosscheck/runs", auth.CrosscheckRun, httpx.WithBody(http.StatusAccepted, s.StartRun))
	rt.Handle("GET /api/v1/crosscheck/runs", auth.DoubtRead, s.handleRuns)
	rt.Handle("GET /api/v1/crosscheck/runs/{id}", auth.DoubtRead, httpx.ByID(s.RunByID))
	rt.Handle("GET /api/v1/households/{id}/authorisations", auth.HouseholdRead, httpx.ByID(s.Authorisations))
	rt.Handle("POST /api/v1/households/{id}/authorisations", auth.HouseholdWrite, httpx.WithID(http.StatusCreated, s.AddAuthorisation))
	rt.Handle("POST /api/v1/authorisations/{id}/revoke", auth.HouseholdWrite, httpx.WithID(http.StatusOK, s.RevokeAuthorisation))
	rt.Handle("GET /api/v1/authorisations/missing", auth.HouseholdRead, s.handleUnauthorised)
	rt.Handle("GET /api/v1/doubts", auth.DoubtRead, s.handleDoubts)
	rt.Handle("GET /api/v1/doubts/stats", auth.DoubtRead, s.handleStats)
	rt.Handle("GET /api/v1/doubts/export", auth.DoubtRead, s.handleExport)
	rt.Handle("GET /api/v1/doubts/{id}", auth.DoubtRead, httpx.ByID(s.Doubt))
	rt.Handle("POST /api/v1/doubts/{id}/dispatch", auth.DoubtVerify, httpx.WithID(http.StatusOK, s.Dispatch))
	rt.Handle("POST /api/v1/doubts/{id}/outcome", auth.DoubtVerify, httpx.WithID(http.StatusOK, s.Outcome))
}

// Catalogue is what the console's upload form and rule editor need: the dataset kinds with
// their columns, and the rule checks with their parameters and placeholders.
type Catalogue struct {
	Kinds  []KindSpec  `json:"kinds"`
	Checks []CheckInfo `json:"checks"`
}

// parseCursor reads "<region code>-<id>", the keyset position the lists print.
func parseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	code, id, ok := strings.Cut(s, "-")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || !regioncode.Valid(code) || err != nil || n < 0 || strconv.FormatInt(n, 10) != id {
		return Cursor{}, errs.Field("after", "分页游标无效")
	}
	return Cursor{Region: code, ID: n}, nil
}

func optID(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, errs.Field(name, "应为正整数")
	}
	return n, nil
}

func (s *Service) handleDatasets(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	after, err := page.AfterID()
	if err != nil {
		return err
	}
	var active bool
	switch r.URL.Query().Get("active") {
	case "", "0":
	case "1":
		active = true
	default:
		return errs.Field("active", "应为 1 或 0")
	}
	list, err := s.Datasets(r.Context(), auth.From(r.Context()), Kind(r.URL.Query().Get("kind")), active, after, page.Limit+1)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(list, page.Limit, func(d Dataset) string { return itoa(d.ID) }))
	return nil
}

func (s *Service) handleRuns(w http.ResponseWriter, r *http.Request) error {
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
	httpx.Write(w, http.StatusOK, httpx.NewList(list, page.Limit, func(x RunInfo) string { return itoa(x.ID) }))
	return nil
}

func (s *Service) handleUnauthorised(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	after, err := parseCursor(page.After)
	if err != nil {
		return err
	}
	list, err := s.Unauthorised(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"), after, page.Limit+1)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(list, page.Limit, func(u UnauthorisedRow) string {
		return u.RegionCode + "-" + itoa(u.HouseholdID)
	}))
	return nil
}

// doubtFilter reads the list filters (region, status, rule, run, household_id, overdue=1),
// shared by the list, its statistics and its export.
func doubtFilter(r *http.Request) (DoubtFilter, error) {
	q := r.URL.Query()
	f := DoubtFilter{Region: q.Get("region"), Status: q.Get("status"), Rule: q.Get("rule")}
	var err error
	if f.RunID, err = optID(r, "run"); err != nil {
		return f, err
	}
	if f.Household, err = optID(r, "household_id"); err != nil {
		return f, err
	}
	switch q.Get("overdue") {
	case "", "0":
	case "1":
		f.Overdue = true
	default:
		return f, errs.Field("overdue", "应为 1 或 0")
	}
	return f, nil
}

func (s *Service) handleDoubts(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	f, err := doubtFilter(r)
	if err != nil {
		return err
	}
	if f.After, err = parseCursor(page.After); err != nil {
		return err
	}
	f.Limit = page.Limit + 1
	list, err := s.Doubts(r.Context(), auth.From(r.Context()), f)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(list, page.Limit, func(d DoubtRow) string { return d.RegionCode + "-" + itoa(d.ID) }))
	return nil
}

func (s *Service) handleStats(w http.ResponseWriter, r *http.Request) error {
	f, err := doubtFilter(r)
	if err != nil {
		return err
	}
	st, err := s.Stats(r.Context(), auth.From(r.Context()), f)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, st)
	return nil
}

func (s *Service) handleExport(w http.ResponseWriter, r *http.Request) error {
	f, err := doubtFilter(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "csv"
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(30 * time.Minute))
	// The XLSX is assembled at the end and a CSV's first page is read before a byte goes out,
	// so a refusal still reaches the client as an error status.
	sw := &lazyWriter{w: w, format: format}
	if err := s.ExportDoubts(r.Context(), auth.From(r.Context()), f, format, sw); err != nil {
		if sw.started {
			s.logger().Error("doubts export failed mid-stream", "err", err)
			return nil
		}
		return err
	}
	if !sw.started { // an empty XLSX still has bytes; an empty CSV has its header: never here
		sw.header()
	}
	return nil
}

// lazyWriter sets the download headers on the first write.
type lazyWriter struct {
	w       http.ResponseWriter
	format  string
	started bool
}

func (l *lazyWriter) header() {
	l.started = true
	ct, ext := "text/csv; charset=utf-8", ".csv"
	if l.format == "xlsx" {
		ct, ext = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
	}
	h := l.w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", `attachment; filename="doubts-`+db.Date(time.Now())+ext+`"`)
	h.Set("Cache-Control", "no-store")
}

func (l *lazyWriter) Write(b []byte) (int, error) {
	if !l.started {
		l.header()
	}
	return l.w.Write(b)
}

// handleAddDataset receives a multipart form (kind, source_dept, as_of, then file), streams
// the file into the data directory while hashing it, and scans it in a background job.
func (s *Service) handleAddDataset(w http.ResponseWriter, r *http.Request) error {
	p := auth.From(r.Context())
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(2 * time.Hour))
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return errs.E(errs.Unsupported, "数据集须以 multipart/form-data 上传(字段 kind、source_dept、as_of、file)")
	}
	if r.ContentLength > MaxDatasetUpload+1<<20 {
		return errs.E(errs.TooLarge, "文件超过 8 GB 上限,请在服务器上用命令行 sunshine dataset add 登记")
	}
	mr := multipart.NewReader(http.MaxBytesReader(w, r.Body, MaxDatasetUpload+1<<20), params["boundary"])
	var in DatasetInput
	var st *staged
	fail := func(err error) error {
		if st != nil {
			s.discard(r.Context(), *st)
		}
		return err
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(formErr(err))
		}
		switch part.FormName() {
		case "kind", "source_dept", "as_of":
			v, err := io.ReadAll(io.LimitReader(part, 1024))
			if err != nil {
				return fail(formErr(err))
			}
			switch part.FormName() {
			case "kind":
				in.Kind = Kind(v)
			case "source_dept":
				in.SourceDept = string(v)
			default:
				in.AsOf = string(v)
			}
		case "file":
			if st != nil {
				return fail(errs.Field("file", "一次只能登记一个文件"))
			}
			in.FileName = part.FileName()
			if in.Kind != "" { // the fields came first (as the console sends them): refuse before copying
				check := in
				if err := s.checkAdd(p, &check); err != nil {
					return err
				}
			}
			got, err := s.stage(part, in.FileName, MaxDatasetUpload, nil)
			if err != nil {
				return formErr(err)
			}
			st = &got
		}
	}
	if st == nil {
		return errs.Field("file", "请选择要登记的文件")
	}
	if err := s.checkAdd(p, &in); err != nil {
		return fail(err)
	}
	j := s.startJob(p, Job{Kind: "dataset", File: in.FileName, BytesTotal: st.size, Files: 1, Phase: "scanning"})
	go func(st staged) {
		ds, rep, err := s.register(context.Background(), p, in, st, func(pg Progress) {
			j.Update(func(j *Job) { j.BytesRead, j.Rows, j.Matched = pg.BytesRead, pg.RowsRead, pg.Matched })
		})
		j.Update(func(j *Job) {
			if rep.Format != "" || rep.Rows > 0 || len(rep.Errors) > 0 {
				j.Report = &rep
			}
			if ds.ID != 0 {
				j.Dataset, j.DatasetID = &ds, ds.ID
				j.BytesRead = j.BytesTotal
			}
		})
		s.finish(j, err)
	}(*st)
	httpx.Write(w, http.StatusAccepted, j.Snapshot())
	return nil
}

func formErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errs.E(errs.TooLarge, "文件超过 8 GB 上限,请在服务器上用命令行 sunshine dataset add 登记")
	}
	if _, ok := errs.As(err); ok {
		return err
	}
	return errs.E(errs.Invalid, "上传的表单不完整或格式错误: %v", err)
}
