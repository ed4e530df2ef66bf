package region

import (
	"net/http"

	"sunshine/internal/auth"
	"sunshine/internal/httpx"
)

// Routes registers the region endpoints.
func (s *Service) Routes(rt *httpx.Router) {
	rt.Handle("GET /api/v1/regions/{code}", auth.RegionRead, s.handleGet)
	rt.Handle("GET /api/v1/regions/{code}/children", auth.RegionRead, s.handleChildren)
	rt.Handle("PATCH /api/v1/regions/{code}", auth.RegionWrite, s.handleUpdate)
}

func (s *Service) handleGet(w http.ResponseWriter, r *http.Request) error {
	reg, err := s.Get(r.Context(), auth.From(r.Context()), r.PathValue("code"))
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, reg)
	return nil
}

func (s *Service) handleChildren(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.Children(r.Context(), auth.From(r.Context()), r.PathValue("code"))
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, map[string]any{"items": rs})
	return nil
}

func (s *Service) handleUpdate(w http.ResponseWriter, r *http.Request) error {
	var p Patch
	if err := httpx.Decode(r, &p); err != nil {
		return err
	}
	reg, err := s.Update(r.Context(), auth.From(r.Context()), r.PathValue("code"), p)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, reg)
	return nil
}
