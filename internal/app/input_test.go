package app

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/httpx"
)

// Bad requests get the right 4xx with a clear message and change nothing.
func TestBadInput(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin")
	before := auditCount(t, h)
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code, msg          string
	}{
		{"malformed JSON", "PATCH", "/api/v1/regions/320921100201", `{"area": `, 400, "invalid", "JSON"},
		{"unknown field", "PATCH", "/api/v1/regions/320921100201", `{"areaa": "x"}`, 400, "invalid", "未知字段"},
		{"wrong type", "PATCH", "/api/v1/regions/320921100201", `{"weak_lax": "yes"}`, 400, "invalid", "类型错误"},
		{"two objects", "PATCH", "/api/v1/regions/320921100201", `{} {}`, 400, "invalid", "一个"},
		{"oversized", "PATCH", "/api/v1/regions/320921100201", `{"area": "` + strings.Repeat("x", httpx.MaxBody) + `"}`, 413, "too_large", "上限"},
		{"bad designation", "PATCH", "/api/v1/regions/320921100201", `{"weak_level": "nation"}`, 400, "invalid", "weak_level"},
		{"weak town", "PATCH", "/api/v1/regions/320921100000", `{"weak_level": "city"}`, 400, "invalid", "行政村"},
		{"unknown region", "GET", "/api/v1/regions/320921999999", nil, 404, "not_found", "不存在"},
		{"bad user", "POST", "/api/v1/users", `{"username": "A b", "display_name": "", "role": "king", "scope_code": "12", "password": "short"}`, 400, "invalid", "输入有误"},
		{"duplicate user", "POST", "/api/v1/users", `{"username": "admin", "display_name": "重复", "role": "admin", "scope_code": "320900000000", "password": "Another#2026x"}`, 409, "conflict", "已被使用"},
		{"bad page size", "GET", "/api/v1/households?limit=5000", nil, 400, "invalid", "limit"},
		{"bad cursor", "GET", "/api/v1/households?after=abc", nil, 400, "invalid", "after"},
		{"bad status", "GET", "/api/v1/households?status=rich", nil, 400, "invalid", "status"},
		{"no such route", "GET", "/api/v1/nothing", nil, 404, "not_found", "接口不存在"},
		{"bad id", "GET", "/api/v1/users/-3", nil, 400, "invalid", "id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, body := admin.do(c.method, c.path, c.body)
			e := decode[httpx.ErrorBody](t, body)
			if st != c.status || string(e.Code) != c.code || !strings.Contains(e.Message+fieldText(e.Fields), c.msg) {
				t.Errorf("%d %s, want %d %s containing %q", st, body, c.status, c.code, c.msg)
			}
		})
	}
	// Wrong content type.
	req, _ := http.NewRequest("PATCH", h.srv.URL+"/api/v1/regions/320921100201", strings.NewReader(`{"area":"x"}`))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("X-CSRF-Token", admin.csrf)
	resp, err := admin.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 415 {
		t.Errorf("text/plain body: %d, want 415", resp.StatusCode)
	}
	if n := auditCount(t, h); n != before {
		t.Errorf("bad requests wrote %d audit events", n-before)
	}
}

func fieldText(f map[string]string) string {
	var b strings.Builder
	for k, v := range f {
		b.WriteString(k + v)
	}
	return b.String()
}

func auditCount(t *testing.T, h *harness) int {
	var n int
	if err := h.app.DB.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSessionsAndCSRF(t *testing.T) {
	h := newHarness(t)
	// Wrong password: 401, audited, no session.
	c := h.anon()
	st, body := c.do("POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": "wrong-password"})
	if st != 401 || !strings.Contains(string(body), "用户名或密码错误") {
		t.Fatalf("wrong password: %d %s", st, body)
	}
	st, body = c.do("POST", "/api/v1/auth/login", map[string]string{"username": "nobody", "password": "wrong-password"})
	if st != 401 || !strings.Contains(string(body), "用户名或密码错误") {
		t.Fatalf("unknown user answers like a wrong password: %d %s", st, body)
	}
	admin := h.login("admin")
	// A write without the CSRF token is refused, and with a foreign Origin too.
	csrf := admin.csrf
	admin.csrf = ""
	if st, body := admin.do("PATCH", "/api/v1/regions/320921100201", map[string]any{"area": "x"}); st != 403 || !strings.Contains(string(body), "CSRF") {
		t.Errorf("write without CSRF: %d %s", st, body)
	}
	admin.csrf = "forged"
	if st, _ := admin.do("PATCH", "/api/v1/regions/320921100201", map[string]any{"area": "x"}); st != 403 {
		t.Errorf("write with a wrong CSRF token: %d", st)
	}
	admin.csrf = csrf
	if st, body := admin.do("PATCH", "/api/v1/regions/320921100201", map[string]any{"area": "渠北片区", "weak_level": "city"}); st != 200 {
		t.Fatalf("write with CSRF: %d %s", st, body)
	}
	// The change is in the region's history.
	st, body = admin.do("GET", "/api/v1/audit?entity_type=region&entity_id=320921100201", nil)
	if st != 200 || !strings.Contains(string(body), `"region.update"`) || !strings.Contains(string(body), `"weak_level":"city"`) {
		t.Errorf("history: %d %s", st, body)
	}
	// An expired session is refused.
	h.app.DB.Clock = func() time.Time { return time.Now().Add(13 * time.Hour) }
	h.app.Accounts.FlushCache()
	if st, _ := admin.do("GET", "/api/v1/auth/me", nil); st != 401 {
		t.Errorf("expired session: %d, want 401", st)
	}
	h.app.DB.Clock = time.Now
	// Logout ends the session.
	admin = h.login("admin")
	if st, _ := admin.do("POST", "/api/v1/auth/logout", nil); st != 204 {
		t.Errorf("logout: %d", st)
	}
	if st, _ := admin.do("GET", "/api/v1/auth/me", nil); st != 401 {
		t.Errorf("after logout: %d", st)
	}
}

func TestLoginThrottle(t *testing.T) {
	h := newHarness(t)
	c := h.anon()
	for i := 0; i < 5; i++ {
		c.do("POST", "/api/v1/auth/login", map[string]string{"username": "finance_city", "password": "guess" + string(rune('a'+i))})
	}
	st, body := c.do("POST", "/api/v1/auth/login", map[string]string{"username": "finance_city", "password": "Sunshine#2026"})
	if st != 429 || !strings.Contains(string(body), "分钟后再试") {
		t.Errorf("sixth attempt: %d %s, want 429", st, body)
	}
}

// Role changes end the user's sessions and are audited as permission changes; API tokens work
// without cookies and stop working when revoked.
func TestPermissionChangeAndTokens(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin")
	helper := h.login("helper_320921")
	var id int64
	_ = h.app.DB.Reader().QueryRowContext(context.Background(), `SELECT id FROM users WHERE username = 'helper_320921'`).Scan(&id)
	st, body := admin.do("PATCH", "/api/v1/users/"+itoa(id), map[string]any{"role": "auditor"})
	if st != 200 {
		t.Fatalf("role change: %d %s", st, body)
	}
	if st, _ := helper.do("GET", "/api/v1/auth/me", nil); st != 401 {
		t.Errorf("session after role change: %d, want 401", st)
	}
	st, body = admin.do("GET", "/api/v1/audit?action=user.permission_change", nil)
	if !strings.Contains(string(body), `"role":"auditor"`) {
		t.Errorf("permission change not audited: %s", body)
	}
	// Tokens.
	st, body = admin.do("POST", "/api/v1/users/"+itoa(id)+"/tokens", map[string]any{"name": "对接", "expires_days": 30})
	if st != 201 {
		t.Fatalf("token: %d %s", st, body)
	}
	created := decode[map[string]any](t, body)
	secret := created["secret"].(string)
	bot := h.anon()
	bot.bearer = secret
	if st, body := bot.do("GET", "/api/v1/dashboard", nil); st != 200 || !strings.Contains(string(body), "320921") {
		t.Errorf("token read: %d %s", st, body)
	}
	tokenID := int64(created["token"].(map[string]any)["id"].(float64))
	if st, _ := admin.do("DELETE", "/api/v1/tokens/"+itoa(tokenID), nil); st != 204 {
		t.Errorf("revoke: %d", st)
	}
	if st, _ := bot.do("GET", "/api/v1/dashboard", nil); st != 401 {
		t.Errorf("revoked token: %d, want 401", st)
	}
	res, err := audit.Verify(context.Background(), h.app.DB.Reader())
	if err != nil || !res.OK {
		t.Errorf("chain after the scenario: %+v %v", res, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
