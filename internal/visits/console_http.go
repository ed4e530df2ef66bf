package visits

import (
	"net/http"
	"strconv"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
	"sunshine/internal/regioncode"
)

// consoleRoutes registers the office console's endpoints for visits (visit.read, visit.review).
func (s *Service) consoleRoutes(rt *httpx.Router) {
	rt.Handle("GET /api/v1/visits", auth.VisitRead, s.handleList)
	rt.Handle("GET /api/v1/visits/compliance", auth.VisitRead, s.handleCompliance)
	rt.Handle("GET /api/v1/visits/overdue", auth.VisitRead, s.handleOverdue)
	rt.Handle("GET /api/v1/visits/settings", auth.VisitRead, func(w http.ResponseWriter, r *http.Request) error {
		st, err := s.Settings(r.Context(), auth.From(r.Context()))
		if err != nil {
			return err
		}
		httpx.Write(w, http.StatusOK, st)
		return nil
	})
	rt.Handle("GET /api/v1/visits/photos/{sha256}", auth.VisitRead, s.handlePhoto)
	rt.Handle("GET /api/v1/visits/{id}", auth.VisitRead, httpx.ByID(s.Detail))
	rt.Handle("PATCH /api/v1/visits/{id}", auth.VisitReview, httpx.WithID(http.StatusOK, s.Edit))
	rt.Handle("GET /api/v1/households/{id}/location", auth.HouseholdRead, httpx.ByID(s.HouseholdLocation))
	rt.Handle("PUT /api/v1/households/{id}/location", auth.VisitReview, httpx.WithID(http.StatusOK, s.SetLocation))
}

// optID reads an optional positive integer query parameter (0 = absent).
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
	f := VisitFilter{Region: q.Get("region"), Quarter: q.Get("quarter"), Signal: q.Get("signal"), After: after, Limit: page.Limit + 1}
	if f.HouseholdID, err = optID(r, "household_id"); err != nil {
		return err
	}
	if f.HelperID, err = optID(r, "helper_id"); err != nil {
		return err
	}
	switch q.Get("conflict") {
	case "", "0":
	case "1":
		f.Conflict = true
	default:
		return errs.Field("conflict", "应为 1 或 0")
	}
	list, err := s.Visits(r.Context(), auth.From(r.Context()), f)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(list, page.Limit, func(v VisitRow) string { return strconv.FormatInt(v.ID, 10) }))
	return nil
}

func (s *Service) handleCompliance(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Compliance(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"), r.URL.Query().Get("quarter"))
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, c)
	return nil
}

// parseOverdueCursor reads "<village code>-<household id>" (the overdue list's keyset position).
func parseOverdueCursor(s string) (OverdueCursor, error) {
	if s == "" {
		return OverdueCursor{}, nil
	}
	code, id, ok := strings.Cut(s, "-")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || !regioncode.Valid(code) || err != nil || n < 0 || strconv.FormatInt(n, 10) != id { // only the form the list prints
		return OverdueCursor{}, errs.Field("after", "分页游标无效")
	}
	return OverdueCursor{Region: code, ID: n}, nil
}

func (s *Service) handleOverdue(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	after, err := parseOverdueCursor(page.After)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	rows, err := s.Overdue(r.Context(), auth.From(r.Context()), q.Get("region"), q.Get("quarter"), after, page.Limit+1)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, overduePage(rows, page.Limit))
	return nil
}

// handlePhoto serves a visit photo for the console to show inline. Photos are named by their
// content, so the answer never changes: cached privately for a year.
func (s *Service) handlePhoto(w http.ResponseWriter, r *http.Request) error {
	sha := r.PathValue("sha256")
	ct, data, err := s.PhotoBytes(r.Context(), auth.From(r.Context()), sha)
	if err != nil {
		return err
	}
	if ct != "image/jpeg" && ct != "image/png" {
		ct = "application/octet-stream" // only decoded JPEG/PNG are stored complete; never guess another type
	}
	h := w.Header()
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	h.Set("ETag", `"`+sha+`"`)
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	if r.Header.Get("If-None-Match") == `"`+sha+`"` {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
	return nil
}
