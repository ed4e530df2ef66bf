package oversight

import (
	"mime"
	"net"
	"net/http"
	"strconv"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
)

func (s *Service) complaintRoutes(rt *httpx.Router) {
	// The public: lodge, follow by the tracking code, rate the reply.
	rt.HandlePublic("POST /api/v1/public/complaints", s.handlePublicLodge)
	rt.HandlePublic("GET /api/v1/public/complaints/{code}", s.handlePublicTrack)
	rt.HandlePublic("POST /api/v1/public/complaints/{code}/rating", s.handlePublicRate)
	// Staff: the hotline and in-person complaints need complaint.handle, a helper's field
	// complaint complaint.lodge; Lodge checks which (the route has no single action).
	rt.Handle("POST /api/v1/complaints", "", s.handleLodge)
	rt.Handle("GET /api/v1/complaints", auth.ComplaintRead, s.handleComplaints)
	rt.Handle("GET /api/v1/complaints/stats", auth.ComplaintRead, s.handleComplaintStats)
	rt.Handle("GET /api/v1/complaints/{id}", auth.ComplaintRead, httpx.ByID(s.Complaint))
	rt.Handle("POST /api/v1/complaints/{id}/assign", auth.ComplaintHandle, httpx.WithID(http.StatusOK, s.AssignComplaint))
	rt.Handle("POST /api/v1/complaints/{id}/reply", auth.ComplaintHandle, httpx.WithID(http.StatusOK, s.ReplyComplaint))
	rt.Handle("POST /api/v1/complaints/{id}/close", auth.ComplaintHandle, httpx.WithID(http.StatusOK, s.CloseComplaint))
	rt.Handle("POST /api/v1/complaints/{id}/forward", auth.ComplaintHandle, httpx.WithID(http.StatusOK, s.ForwardComplaint))
}

// decodePublic reads a public JSON body: JSON content type, at most PublicBodyLimit bytes (413
// beyond), no unknown fields.
func decodePublic(w http.ResponseWriter, r *http.Request, v any) error {
	if !isJSON(r.Header.Get("Content-Type")) {
		return errs.E(errs.Unsupported, "请求体须为 JSON (Content-Type: application/json)")
	}
	if r.ContentLength > PublicBodyLimit {
		return errs.E(errs.TooLarge, "请求体超过 %d 字节上限", PublicBodyLimit)
	}
	return httpx.DecodeReader(http.MaxBytesReader(w, r.Body, PublicBodyLimit), v)
}

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

// remoteHost is the client's address as the connection shows it (forwarding headers are not
// trusted: anyone can write them).
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Service) handlePublicLodge(w http.ResponseWriter, r *http.Request) error {
	var in PublicComplaintInput
	if err := decodePublic(w, r, &in); err != nil {
		return err
	}
	res, err := s.LodgePublic(r.Context(), remoteHost(r), in)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusCreated, res)
	return nil
}

func (s *Service) handlePublicTrack(w http.ResponseWriter, r *http.Request) error {
	v, err := s.TrackComplaint(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, v)
	return nil
}

func (s *Service) handlePublicRate(w http.ResponseWriter, r *http.Request) error {
	var in RatingInput
	if err := decodePublic(w, r, &in); err != nil {
		return err
	}
	v, err := s.RateComplaint(r.Context(), r.PathValue("code"), in)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, v)
	return nil
}

// complaintFilter reads the list filters of the query string.
func complaintFilter(r *http.Request) (ComplaintFilter, error) {
	q := r.URL.Query()
	f := ComplaintFilter{Region: q.Get("region"), Status: q.Get("status"), Category: q.Get("category")}
	for name, dst := range map[string]*bool{"overdue": &f.Overdue, "repeat": &f.Repeat, "misconduct": &f.Misconduct, "mine": &f.Mine} {
		switch q.Get(name) {
		case "", "0":
		case "1":
			*dst = true
		default:
			return f, errs.Field(name, "应为 0 或 1")
		}
	}
	return f, nil
}

func (s *Service) handleComplaints(w http.ResponseWriter, r *http.Request) error {
	f, err := complaintFilter(r)
	if err != nil {
		return err
	}
	pg, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	if f.After, err = pg.AfterID(); err != nil {
		return err
	}
	f.Limit = pg.Limit
	rows, err := s.Complaints(r.Context(), auth.From(r.Context()), f)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(rows, pg.Limit, func(c ComplaintRow) string { return strconv.FormatInt(c.ID, 10) }))
	return nil
}

func (s *Service) handleComplaintStats(w http.ResponseWriter, r *http.Request) error {
	f, err := complaintFilter(r)
	if err != nil {
		return err
	}
	st, err := s.ComplaintStatistics(r.Context(), auth.From(r.Context()), f)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, st)
	return nil
}

// handleLodge is POST /api/v1/complaints: 201 for a new complaint, 200 when a field complaint's
// client_id was lodged before (the phone retried a sync whose answer it did not receive).
func (s *Service) handleLodge(w http.ResponseWriter, r *http.Request) error {
	var in ComplaintInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	res, replayed, err := s.lodgeStaff(r.Context(), auth.From(r.Context()), in)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if replayed {
		status = http.StatusOK
	}
	httpx.Write(w, status, res)
	return nil
}
