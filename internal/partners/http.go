package partners

import (
	"context"
	"net/http"

	"sunshine/internal/auth"
	"sunshine/internal/disclosure"
	"sunshine/internal/httpx"
)

// Routes registers the console and public routes of the social forces' registers.
func (s *Service) Routes(rt *httpx.Router) {
	s.init()
	rt.Handle("GET /api/v1/providers", auth.SocialRead, list(s.Providers, func(x Provider) int64 { return x.ID }))
	rt.Handle("POST /api/v1/providers", auth.SocialWrite, httpx.WithBody(http.StatusCreated, s.CreateProvider))
	rt.Handle("GET /api/v1/providers/{id}", auth.SocialRead, httpx.ByID(s.Provider))
	rt.Handle("PATCH /api/v1/providers/{id}", auth.SocialWrite, httpx.WithID(http.StatusOK, s.UpdateProvider))
	rt.Handle("GET /api/v1/providers/{id}/services", auth.SocialRead, httpx.ByID(s.Services))
	rt.Handle("POST /api/v1/providers/{id}/services", auth.SocialWrite, httpx.WithID(http.StatusCreated, s.AddService))

	rt.Handle("GET /api/v1/deputies", auth.SocialRead, list(s.Deputies, func(x Deputy) int64 { return x.ID }))
	rt.Handle("POST /api/v1/deputies", auth.SocialWrite, httpx.WithBody(http.StatusCreated, s.CreateDeputy))
	rt.Handle("GET /api/v1/deputies/{id}", auth.SocialRead, httpx.ByID(s.Deputy))

	rt.Handle("GET /api/v1/pairings", auth.SocialRead, list(s.Pairings, func(x Pairing) int64 { return x.ID }))
	rt.Handle("POST /api/v1/pairings", auth.SocialWrite, httpx.WithBody(http.StatusCreated, s.CreatePairing))
	rt.Handle("GET /api/v1/pairings/{id}", auth.SocialRead, httpx.ByID(s.PairingDetail))
	rt.Handle("POST /api/v1/pairings/{id}/end", auth.SocialWrite, httpx.WithID(http.StatusOK, s.EndPairing))
	rt.Handle("GET /api/v1/pairings/{id}/activities", auth.SocialRead, httpx.ByID(s.Activities))
	rt.Handle("POST /api/v1/pairings/{id}/activities", auth.SocialWrite, httpx.WithID(http.StatusCreated, s.AddActivity))

	rt.Handle("GET /api/v1/entrepreneurs", auth.SocialRead, list(s.Entrepreneurs, func(x Entrepreneur) int64 { return x.ID }))
	rt.Handle("POST /api/v1/entrepreneurs", auth.SocialWrite, httpx.WithBody(http.StatusCreated, s.CreateEntrepreneur))
	rt.Handle("GET /api/v1/entrepreneurs/{id}", auth.SocialRead, httpx.ByID(s.Entrepreneur))
	rt.Handle("GET /api/v1/entrepreneurs/{id}/suggestions", auth.SocialRead, httpx.ByID(s.Suggestions))
	rt.Handle("GET /api/v1/entrepreneurs/{id}/matches", auth.SocialRead, httpx.ByID(s.Matches))
	rt.Handle("POST /api/v1/entrepreneurs/{id}/matches", auth.SocialWrite, httpx.WithID(http.StatusCreated, s.CreateMatch))
	rt.Handle("PATCH /api/v1/matches/{id}", auth.SocialWrite, httpx.WithID(http.StatusOK, s.UpdateMatch))

	rt.HandlePublic("GET /api/v1/public/forces/{code}", s.handleForces)
	rt.HandlePublic("GET /api/v1/public/open/forces.csv", s.handleForcesCSV)
}

// list adapts a register list: the filter from the query string, a keyset page of the answer.
func list[T any](fn func(context.Context, *auth.Principal, Filter) ([]T, error), id func(T) int64) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		pg, err := httpx.PageOf(r)
		if err != nil {
			return err
		}
		after, err := pg.AfterID()
		if err != nil {
			return err
		}
		qv := r.URL.Query()
		f := Filter{Region: qv.Get("region"), Kind: qv.Get("kind"), Status: qv.Get("status"), Level: qv.Get("level"),
			Willing: qv.Get("willing"), Q: qv.Get("q"), After: after, Limit: pg.Limit}
		items, err := fn(r.Context(), auth.From(r.Context()), f)
		if err != nil {
			return err
		}
		httpx.Write(w, http.StatusOK, httpx.NewList(items, pg.Limit, func(x T) string { return cursor(id(x)) }))
		return nil
	}
}

func (s *Service) handleForces(w http.ResponseWriter, r *http.Request) error {
	b, err := s.ForcesPageJSON(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	disclosure.WriteCached(w, b)
	return nil
}

func (s *Service) handleForcesCSV(w http.ResponseWriter, r *http.Request) error {
	code := r.URL.Query().Get("region")
	b, err := s.ForcesCSV(r.Context(), code)
	if err != nil {
		return err
	}
	disclosure.WriteCSV(w, "forces-"+code+".csv", "社会力量-"+code+".csv", b)
	return nil
}
