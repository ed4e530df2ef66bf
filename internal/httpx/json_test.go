package httpx

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"

	"sunshine/internal/errs"
)

type sample struct {
	Name  string   `json:"name"`
	Count int      `json:"count"`
	Flag  *bool    `json:"flag"`
	Tags  []string `json:"tags"`
}

func TestDecodeErrors(t *testing.T) {
	cases := map[string]errs.Code{
		``:                 errs.Invalid,
		`{`:                errs.Invalid,
		`{"name": 1}`:      errs.Invalid,
		`{"nope": 1}`:      errs.Invalid,
		`{} []`:            errs.Invalid,
		`[]`:               errs.Invalid,
		`{"name": "张三"}`:   "",
		`{"count": 1e400}`: errs.Invalid,
	}
	for in, want := range cases {
		var s sample
		err := DecodeReader(strings.NewReader(in), &s)
		if got := errs.CodeOf(err); got != want {
			t.Errorf("%q: %v (%s), want %s", in, err, got, want)
		}
	}
	r := httptest.NewRequest("POST", "/", strings.NewReader(`{}`))
	r.Header.Set("Content-Type", "text/plain")
	if err := Decode(r, &sample{}); errs.CodeOf(err) != errs.Unsupported {
		t.Errorf("text/plain: %v", err)
	}
	r = httptest.NewRequest("POST", "/", strings.NewReader(`{"name":"`+strings.Repeat("x", MaxBody)+`"}`))
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	if err := Decode(r, &sample{}); errs.CodeOf(err) != errs.TooLarge {
		t.Errorf("oversized: %v", err)
	}
}

// Any body decodes to either a value or a clear user error, never a panic or an internal error.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"name":"a","count":2,"flag":true,"tags":["x"]}`, `{`, `{"nope":1}`, `null`, `{"count":"1"}`, "\xff\xfe"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s sample
		err := DecodeReader(bytes.NewReader(b), &s)
		if err == nil {
			return
		}
		e, ok := errs.As(err)
		if !ok || e.Message == "" || e.Code == errs.Internal {
			t.Fatalf("%q: %v is not a clear user error", b, err)
		}
	})
}
