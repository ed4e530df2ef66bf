package projects

import (
	"net/http"

	"sunshine/internal/auth"
	"sunshine/internal/httpx"
)

func (s *Service) assetRoutes(rt *httpx.Router) {
	rt.Handle("GET /api/v1/assets", auth.ProjectRead, s.handleAssets)
	rt.Handle("GET /api/v1/assets/register", auth.ProjectRead, s.handleRegister)
	rt.Handle("POST /api/v1/assets", auth.ProjectWrite, httpx.WithBody(http.StatusCreated, s.CreateAsset))
	rt.Handle("GET /api/v1/assets/{id}", auth.ProjectRead, httpx.ByID(s.Asset))
	rt.Handle("PUT /api/v1/assets/{id}", auth.ProjectWrite, httpx.WithID(http.StatusOK, s.UpdateAsset))
	rt.Handle("POST /api/v1/assets/{id}/incomes", auth.ProjectWrite, httpx.WithID(http.StatusCreated, s.RecordIncome))
	rt.Handle("GET /api/v1/asset-incomes/{id}/proposal", auth.ProjectRead, httpx.ByID(s.Proposal))
	rt.Handle("POST /api/v1/asset-incomes/{id}/distribute", auth.ProjectSign, httpx.WithID(http.StatusOK, s.Distribute))
}

// assetFilterOf reads the list and register filter: ?region&kind&status&project&attention&q.
func assetFilterOf(r *http.Request) (AssetFilter, error) {
	q := r.URL.Query()
	f := AssetFilter{Region: q.Get("region"), Kind: q.Get("kind"), Status: q.Get("status"), Attention: q.Get("attention"), Q: q.Get("q")}
	var err error
	f.ProjectID, err = httpx.QueryInt(r, "project")
	return f, err
}

func (s *Service) handleAssets(w http.ResponseWriter, r *http.Request) error {
	pg, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	f, err := assetFilterOf(r)
	if err != nil {
		return err
	}
	f.Limit = pg.Limit
	if f.After, err = pg.AfterID(); err != nil {
		return err
	}
	rows, err := s.Assets(r.Context(), auth.From(r.Context()), f)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(rows, pg.Limit, assetCursor))
	return nil
}

func (s *Service) handleRegister(w http.ResponseWriter, r *http.Request) error {
	f, err := assetFilterOf(r)
	if err != nil {
		return err
	}
	out, err := s.AssetRegister(r.Context(), auth.From(r.Context()), f)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, out)
	return nil
}
