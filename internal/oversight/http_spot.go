package oversight

import (
	"net/http"
	"strconv"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
)

// spotRoutes: random spot checks (双随机). Plans are read with alert.read, made, drawn, recorded
// and closed with spot.write.
func (s *Service) spotRoutes(rt *httpx.Router) {
	rt.Handle("GET /api/v1/spot-plans/inspectors", auth.SpotWrite, func(w http.ResponseWriter, r *http.Request) error {
		list, err := s.SpotInspectors(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"))
		if err != nil {
			return err
		}
		httpx.Write(w, http.StatusOK, list)
		return nil
	})
	rt.Handle("POST /api/v1/spot-plans", auth.SpotWrite, httpx.WithBody(http.StatusCreated, s.CreateSpotPlan))
	rt.Handle("GET /api/v1/spot-plans", auth.AlertRead, func(w http.ResponseWriter, r *http.Request) error {
		page, err := httpx.PageOf(r)
		if err != nil {
			return err
		}
		after, err := page.AfterID()
		if err != nil {
			return err
		}
		list, err := s.SpotPlans(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"), after, page.Limit+1)
		if err != nil {
			return err
		}
		httpx.Write(w, http.StatusOK, httpx.NewList(list, page.Limit, func(p SpotPlan) string { return strconv.FormatInt(p.ID, 10) }))
		return nil
	})
	rt.Handle("GET /api/v1/spot-plans/{id}", auth.AlertRead, httpx.ByID(s.SpotPlan))
	rt.Handle("GET /api/v1/spot-plans/{id}/population", auth.AlertRead, httpx.ByID(s.SpotPopulationOf))
	rt.Handle("GET /api/v1/spot-plans/{id}/verify", auth.AlertRead, httpx.ByID(s.VerifySpotPlan))
	// draw and close take no body (any body is ignored)
	rt.Handle("POST /api/v1/spot-plans/{id}/draw", auth.SpotWrite, httpx.ByID(s.DrawSpotPlan))
	rt.Handle("POST /api/v1/spot-plans/{id}/close", auth.SpotWrite, httpx.ByID(s.CloseSpotPlan))
	rt.Handle("POST /api/v1/spot-plans/{id}/targets/{pos}", auth.SpotWrite, func(w http.ResponseWriter, r *http.Request) error {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return err
		}
		pos, err := strconv.Atoi(r.PathValue("pos"))
		if err != nil || pos < 0 || strconv.Itoa(pos) != r.PathValue("pos") {
			return errs.Field("pos", "应为非负整数")
		}
		var in SpotFindingInput
		if err := httpx.Decode(r, &in); err != nil {
			return err
		}
		pl, err := s.RecordSpotFinding(r.Context(), auth.From(r.Context()), id, pos, in)
		if err != nil {
			return err
		}
		httpx.Write(w, http.StatusOK, pl)
		return nil
	})
}
