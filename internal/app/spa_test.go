package app

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// The console and the field app are two faces in one embedded tree: each route falls back to
// its own index.html, and only hashed assets may be cached for good.
func TestSPAFaces(t *testing.T) {
	h := spa(fstest.MapFS{
		"index.html":          {Data: []byte("console")},
		"assets/app-1.js":     {Data: []byte("c")},
		"m/index.html":        {Data: []byte("field")},
		"m/sw.js":             {Data: []byte("sw")},
		"m/assets/field-1.js": {Data: []byte("f")},
	})
	for _, c := range []struct{ path, body, cache string }{
		{"/", "console", "no-cache"},
		{"/households/12", "console", "no-cache"},
		{"/assets/app-1.js", "c", "immutable"},
		{"/m/", "field", "no-cache"},
		{"/m/households/12", "field", "no-cache"},
		{"/m/sw.js", "sw", "no-cache"},
		{"/m/assets/field-1.js", "f", "immutable"},
		{"/mx/y", "console", "no-cache"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", c.path, nil))
		if rec.Code != 200 || rec.Body.String() != c.body || !strings.Contains(rec.Header().Get("Cache-Control"), c.cache) {
			t.Errorf("%s: %d %q cache %q, want %q cache %q", c.path, rec.Code, rec.Body.String(), rec.Header().Get("Cache-Control"), c.body, c.cache)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/m", nil))
	if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/m/" {
		t.Errorf("/m: %d → %q, want redirect to /m/", rec.Code, rec.Header().Get("Location"))
	}
}
