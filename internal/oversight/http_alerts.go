package oversight

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
	"sunshine/internal/registry"
)

func (s *Service) alertRoutes(rt *httpx.Router) {
	rt.Handle("GET /api/v1/alerts", auth.AlertRead, s.handleAlerts)
	rt.Handle("GET /api/v1/alerts/stats", auth.AlertRead, s.handleAlertStats)
	rt.Handle("GET /api/v1/alerts/supervision", auth.AlertRead, s.handleSupervision)
	rt.Handle("GET /api/v1/alerts/export", auth.AlertRead, s.handleAlertExport)
	rt.Handle("GET /api/v1/alerts/{id}", auth.AlertRead, httpx.ByID(s.Alert))
	rt.Handle("GET /api/v1/alerts/{id}/assignees", auth.AlertHandle, httpx.ByID(s.Assignees))
	rt.Handle("POST /api/v1/alerts/{id}/assign", auth.AlertHandle, httpx.WithID(http.StatusOK, s.AssignAlert))
	rt.Handle("POST /api/v1/alerts/{id}/verify", auth.AlertHandle, httpx.WithID(http.StatusOK, s.VerifyAlert))
	rt.Handle("POST /api/v1/alerts/{id}/close", auth.AlertHandle, httpx.WithID(http.StatusOK, s.CloseAlert))
	rt.Handle("POST /api/v1/alerts/{id}/attachments", auth.AlertHandle, s.handleAlertAttach)
	rt.Handle("GET /api/v1/alerts/{id}/attachments/{attachment}", auth.AlertRead, s.handleAlertAttachment)
	rt.Handle("GET /api/v1/oversight/cockpit", auth.AlertRead, func(w http.ResponseWriter, r *http.Request) error {
		c, err := s.Cockpit(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"))
		if err != nil {
			return err
		}
		httpx.Write(w, http.StatusOK, c)
		return nil
	})
}

func (s *Service) handleAlerts(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	f, err := ParseAlertFilter(r.URL.Query())
	if err != nil {
		return err
	}
	if f.After, err = parseAlertCursor(page.After); err != nil {
		return err
	}
	f.Limit = page.Limit + 1
	list, err := s.Alerts(r.Context(), auth.From(r.Context()), f)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(list, page.Limit, func(a AlertRow) string { return alertItoa(a.ID) }))
	return nil
}

func (s *Service) handleAlertStats(w http.ResponseWriter, r *http.Request) error {
	f, err := ParseAlertFilter(r.URL.Query())
	if err != nil {
		return err
	}
	st, err := s.AlertStats(r.Context(), auth.From(r.Context()), f)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, st)
	return nil
}

func (s *Service) handleSupervision(w http.ResponseWriter, r *http.Request) error {
	var byRegion bool
	switch r.URL.Query().Get("by_region") {
	case "", "0":
	case "1":
		byRegion = true
	default:
		return errs.Field("by_region", "应为 1 或 0")
	}
	rows, err := s.Supervision(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"), byRegion)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, rows)
	return nil
}

func (s *Service) handleAlertExport(w http.ResponseWriter, r *http.Request) error {
	f, err := ParseAlertFilter(r.URL.Query())
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "csv"
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(30 * time.Minute))
	dw := &alertDownload{w: w, format: format, today: db.Date(s.DB.Clock())}
	if err := s.ExportAlerts(r.Context(), auth.From(r.Context()), f, format, dw); err != nil {
		if dw.started {
			if s.Log != nil {
				s.Log.Error("alerts export failed mid-stream", "err", err)
			}
			return nil
		}
		return err
	}
	if !dw.started {
		dw.header()
	}
	return nil
}

// alertDownload sets the download headers on the first write, so that an error found before
// any byte goes out is still answered with its status.
type alertDownload struct {
	w       http.ResponseWriter
	format  string
	today   string
	started bool
}

func (d *alertDownload) header() {
	d.started = true
	ct, ext := "text/csv; charset=utf-8", ".csv"
	if d.format == "xlsx" {
		ct, ext = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
	}
	h := d.w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", `attachment; filename="alerts-`+d.today+ext+`"`)
	h.Set("Cache-Control", "no-store")
}

func (d *alertDownload) Write(b []byte) (int, error) {
	if !d.started {
		d.header()
	}
	return d.w.Write(b)
}

// handleAlertAttach receives a multipart form with one part "file".
func (s *Service) handleAlertAttach(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.mayAttach(r.Context(), auth.From(r.Context()), id); err != nil {
		return err
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return errs.E(errs.Unsupported, "附件须以 multipart/form-data 上传(字段 file)")
	}
	if r.ContentLength > MaxAlertAttachment+1<<20 {
		return errs.E(errs.TooLarge, "附件超过 20 MB")
	}
	mr := multipart.NewReader(http.MaxBytesReader(w, r.Body, MaxAlertAttachment+1<<20), params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return errs.Field("file", "请选择要上传的文件")
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return errs.E(errs.TooLarge, "附件超过 20 MB")
			}
			return errs.E(errs.Invalid, "上传的表单不完整或格式错误")
		}
		if part.FormName() != "file" {
			continue
		}
		a, err := s.AttachToAlert(r.Context(), auth.From(r.Context()), id, part.FileName(), part)
		if err != nil {
			return err
		}
		httpx.Write(w, http.StatusCreated, a)
		return nil
	}
}

func (s *Service) handleAlertAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	aid, err := httpx.PathID(r, "attachment")
	if err != nil {
		return err
	}
	a, data, err := s.AlertAttachmentFile(r.Context(), auth.From(r.Context()), id, aid)
	if err != nil {
		return err
	}
	registry.ServeFile(w, registry.Attachment{Name: a.Name, ContentType: a.ContentType, SHA256: a.SHA256}, data)
	return nil
}
