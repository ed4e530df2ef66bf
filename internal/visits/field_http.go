package visits

import (
	"errors"
	"net/http"
	"strconv"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
)

// fieldRoutes registers the endpoints the helpers' field app calls (action field.sync), and
// the console's settling of the conflicts sync keeps (visit.review).
func (s *Service) fieldRoutes(rt *httpx.Router) {
	rt.Handle("GET /api/v1/field/households", auth.FieldSync, func(w http.ResponseWriter, r *http.Request) error {
		d, err := s.Households(r.Context(), auth.From(r.Context()))
		if err != nil {
			return err
		}
		httpx.Write(w, http.StatusOK, d)
		return nil
	})
	rt.Handle("GET /api/v1/field/photos/{sha256}", auth.FieldSync, func(w http.ResponseWriter, r *http.Request) error {
		st, err := s.Photo(r.Context(), auth.From(r.Context()), r.PathValue("sha256"))
		if err != nil {
			return err
		}
		httpx.Write(w, http.StatusOK, st)
		return nil
	})
	rt.Handle("POST /api/v1/field/photos/{sha256}/parts", auth.FieldSync, s.handlePart)
	rt.Handle("POST /api/v1/field/sync", auth.FieldSync, httpx.WithBody(http.StatusOK, s.Sync))
	rt.Handle("POST /api/v1/visits/{id}/conflicts/{cid}/resolve", auth.VisitReview, func(w http.ResponseWriter, r *http.Request) error {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return err
		}
		cid, err := httpx.PathID(r, "cid")
		if err != nil {
			return err
		}
		var in ResolveInput
		if err := httpx.Decode(r, &in); err != nil {
			return err
		}
		d, err := s.Resolve(r.Context(), auth.From(r.Context()), id, cid, in)
		if err != nil {
			return err
		}
		httpx.Write(w, http.StatusOK, d)
		return nil
	})
}

// partConflictBody is the 409 answer to a part at the wrong position.
type partConflictBody struct {
	Code     errs.Code `json:"code"`
	Message  string    `json:"message"`
	Received int64     `json:"received"`
}

// handlePart receives one part of a photo: the total size is checked before the body is read
// (an 8 MB+ photo is refused at once), the body is read up to one part's limit.
func (s *Service) handlePart(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	pos, err := strconv.ParseInt(q.Get("pos"), 10, 64)
	if err != nil {
		return errs.Field("pos", "应为非负整数(已上传的字节数)")
	}
	size, err := strconv.ParseInt(q.Get("size"), 10, 64)
	if err != nil {
		return errs.Field("size", "应为照片总字节数")
	}
	if r.ContentLength > MaxPartBytes {
		if err := CheckPart(r.PathValue("sha256"), pos, size); err != nil {
			return err
		}
		return errs.E(errs.TooLarge, "每段不超过 1 MB,收到 %d 字节", r.ContentLength)
	}
	st, err := s.PutPart(r.Context(), auth.From(r.Context()), r.PathValue("sha256"), pos, size, http.MaxBytesReader(w, r.Body, MaxPartBytes))
	var pc *PartConflict
	if errors.As(err, &pc) {
		httpx.Write(w, http.StatusConflict, partConflictBody{Code: errs.Conflict, Message: pc.Message, Received: pc.Received})
		return nil
	}
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, st)
	return nil
}
