package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"sunshine/internal/db/dbtest"
)

// specServer is where the operations of openapi.json are looked up: answers are checked
// against the description, never sent there, so one router serves every harness.
const specServer = "http://openapi.test"

// specRouter finds the operations of openapi.json, loaded once for the package.
var specRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openAPI)
	if err != nil {
		return nil, err
	}
	doc.Servers = openapi3.Servers{{URL: specServer}}
	return gorillamux.NewRouter(doc)
})

// conforms checks a real answer (its status and JSON body) against the schema openapi.json
// gives method and path, and reports a mismatch or an undescribed path as an error.
func (h *harness) conforms(method, path string, st int, body []byte) {
	h.t.Helper()
	router, err := specRouter()
	if err != nil {
		h.t.Fatal(err)
	}
	req := httptest.NewRequest(method, specServer+path, nil)
	route, params, err := router.FindRoute(req)
	if err != nil {
		h.t.Errorf("%s %s: %v", method, path, err)
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: st,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(body))}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		h.t.Errorf("%s %s (%d): answer does not match openapi.json: %v", method, path, st, err)
	}
}

// The served description is valid OpenAPI 3 and lists exactly the routes the router has.
func TestOpenAPIMatchesRouter(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openAPI)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("invalid OpenAPI: %v", err)
	}
	a := New(dbtest.Open(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	want := map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /metrics": true, "GET /api/openapi.json": true}
	for _, r := range a.Router.Routes {
		want[r.Method+" "+r.Pattern] = true
	}
	got := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			got[method+" "+path] = true
		}
	}
	var missing, extra []string
	for k := range want {
		if !got[k] {
			missing = append(missing, k)
		}
	}
	for k := range got {
		if !want[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing)+len(extra) > 0 {
		t.Errorf("openapi.json out of step with the router:\n  routes not described: %v\n  described but not routed: %v", missing, extra)
	}
}

// Real answers of the main GET endpoints conform to their described schemas.
func TestResponsesMatchOpenAPI(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin")
	for _, path := range []string{"/api/v1/auth/me", "/api/v1/roles", "/api/v1/regions/320921000000", "/api/v1/regions/320921000000/children",
		"/api/v1/dashboard?region=320921000000", "/api/v1/households?limit=3", "/api/v1/users?limit=3", "/api/v1/audit?limit=3",
		"/api/v1/audit/verify", "/api/v1/regions/320921999999", "/healthz", "/readyz",
		"/api/v1/households/1", "/api/v1/households?limit=2&gap=any&type=dibao", "/api/v1/procedures?limit=3", "/api/v1/procedures?inbox=1",
		"/api/v1/procedures/1", "/api/v1/procedure-defs", "/api/v1/income-lines", "/api/v1/adjustment?year=2025&region=320921000000",
		"/api/v1/registry/stats?region=320921000000", "/api/v1/helpers?limit=3", "/api/v1/helpers/1",
		"/api/v1/duty/coverage?region=320921000000&max_load=2", "/api/v1/duty/villages?region=320921000000", "/api/v1/leaders?region=320921000000"} {
		st, body := admin.do("GET", path, nil)
		h.conforms("GET", path, st, body)
	}
}
