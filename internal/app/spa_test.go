package app

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// The console, the field app and the public face (portal and kiosk) are three faces in one embedded tree: each route falls back to
// its own index.html, and only hashed assets may be cached for good.
func TestSPAFaces(t *testing.T) {
	h := spa(fstest.MapFS{
		"index.html":          {Data: []byte("console")},
		"assets/app-1.js":     {Data: []byte("c")},
		"m/index.html":        {Data: []byte("field")},
		"m/sw.js":             {Data: []byte("sw")},
		"m/assets/field-1.js": {Data: []byte("f")},
		"p/index.html":        {Data: []byte("public")},
		"p/assets/p-1.js":     {Data: []byte("p")},
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
		{"/p/", "public", "no-cache"},
		{"/p/r/320921100201", "public", "no-cache"},
		{"/p/assets/p-1.js", "p", "immutable"},
		{"/kiosk", "public", "no-cache"},
		{"/kiosk/query", "public", "no-cache"},
		{"/kiosks", "console", "no-cache"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", c.path, nil))
		if rec.Code != 200 || rec.Body.String() != c.body || !strings.Contains(rec.Header().Get("Cache-Control"), c.cache) {
			t.Errorf("%s: %d %q cache %q, want %q cache %q", c.path, rec.Code, rec.Body.String(), rec.Header().Get("Cache-Control"), c.body, c.cache)
		}
	}
	for _, base := range []string{"/m", "/p"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", base, nil))
		if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != base+"/" {
			t.Errorf("%s: %d → %q, want redirect to %s/", base, rec.Code, rec.Header().Get("Location"), base)
		}
	}
}
