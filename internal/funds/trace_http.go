package funds

import (
	"net/http"
	"strconv"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
)

// HTTP handlers of tracing and evaluation (routes in http.go).

func (s *Service) handleProgress(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	out, err := s.Progress(r.Context(), auth.From(r.Context()), id, r.URL.Query().Get("level"))
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, out)
	return nil
}

func (s *Service) handleIdle(w http.ResponseWriter, r *http.Request) error {
	days := int64(DefaultIdleDays)
	if r.URL.Query().Get("min_days") != "" {
		var err error
		if days, err = httpx.QueryInt(r, "min_days"); err != nil {
			return err
		}
		if days > 36500 {
			return errs.Field("min_days", "应为 0-36500 的整数")
		}
	}
	list, err := s.Idle(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"), int(days))
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.List[IdleBalance]{Items: list})
	return nil
}

func evalParams(r *http.Request) (int, string, error) {
	year, err := httpx.QueryInt(r, "year")
	if err != nil {
		return 0, "", err
	}
	if year > 9999 {
		return 0, "", errs.Field("year", "年度应为 2000-2099")
	}
	return int(year), r.URL.Query().Get("region"), nil
}

func (s *Service) handleEvaluation(w http.ResponseWriter, r *http.Request) error {
	year, region, err := evalParams(r)
	if err != nil {
		return err
	}
	out, err := s.Evaluate(r.Context(), auth.From(r.Context()), year, region)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, out)
	return nil
}

func (s *Service) handleEvaluationExport(w http.ResponseWriter, r *http.Request) error {
	year, region, err := evalParams(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "xlsx"
	}
	b, err := s.evaluationFile(r.Context(), auth.From(r.Context()), year, region, format)
	if err != nil {
		return err
	}
	ct, ext := "text/csv; charset=utf-8", ".csv"
	if format == "xlsx" {
		ct, ext = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", `attachment; filename="evaluation-`+db.Date(time.Now())+ext+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	return nil
}
