package app

import (
	"fmt"
	"strings"
	"testing"

	"sunshine/internal/demo"
)

// A helper's phone signs in once with a bearer token. The helpers' office opens and closes
// those accounts itself, only inside its own county, and only ever as helper accounts.
func TestFieldAccounts(t *testing.T) {
	h := newHarness(t)
	var helper int64
	if err := h.app.DB.Reader().QueryRowContext(t.Context(), `SELECT MIN(id) FROM helpers
		WHERE region_code BETWEEN '320921000000' AND '320921999999' AND user_id IS NULL AND active = 1`).Scan(&helper); err != nil {
		t.Fatal(err)
	}
	office := h.login("poverty_office_320921")
	path := fmt.Sprintf("/api/v1/helpers/%d/account", helper)

	// Another county's office does not see the helper at all.
	if st, body := h.login("poverty_office_320922").do("POST", path, map[string]string{"username": "wang_fang", "password": demo.Password}); st != 404 && st != 403 {
		t.Fatalf("other county opened an account: %d %s", st, body)
	}
	// The village cadre may read helpers but not open accounts.
	if st, _ := h.login("village_cadre_320921").do("POST", path, map[string]string{"username": "wang_fang", "password": demo.Password}); st != 403 {
		t.Fatalf("village cadre: %d, want 403", st)
	}
	if st, body := office.do("POST", path, map[string]string{"username": "Wang Fang", "password": "short"}); st != 400 ||
		!strings.Contains(string(body), `"username"`) || !strings.Contains(string(body), `"password"`) {
		t.Fatalf("bad input: %d %s, want 400 naming username and password", st, body)
	}
	st, body := office.do("POST", path, map[string]string{"username": "wang_fang", "password": demo.Password})
	if st != 201 {
		t.Fatalf("open account: %d %s", st, body)
	}
	opened := decode[struct {
		UserID   int64  `json:"user_id"`
		Username string `json:"username"`
	}](t, body)
	if opened.UserID == 0 || opened.Username != "wang_fang" {
		t.Fatalf("opened account: %s", body)
	}
	if st, body := office.do("POST", path, map[string]string{"username": "wang_fang2", "password": demo.Password}); st != 409 || !strings.Contains(string(body), "wang_fang") {
		t.Fatalf("second account: %d %s, want 409 naming the existing one", st, body)
	}

	// The new account signs in on the phone; its token is a bearer token with the helper role.
	phone := h.fieldLogin("wang_fang")
	st, body = phone.do("GET", "/api/v1/auth/me", nil)
	if st != 200 || !strings.Contains(string(body), `"role":"helper"`) {
		t.Fatalf("me with the phone token: %d %s", st, body)
	}
	// Office users are sent to the console; wrong passwords are refused like on the console.
	if st, body := h.anon().do("POST", "/api/v1/field/login", map[string]string{"username": "poverty_office_320921", "password": demo.Password}); st != 403 || !strings.Contains(string(body), "帮扶责任人") {
		t.Fatalf("office user on the phone: %d %s", st, body)
	}
	if st, _ := h.anon().do("POST", "/api/v1/field/login", map[string]string{"username": "wang_fang", "password": "wrong password!"}); st != 401 {
		t.Fatalf("wrong password: %d", st)
	}
	if st, _ := h.anon().do("POST", "/api/v1/field/login", `{"username":"wang_fang","password":"x","extra":1}`); st != 400 {
		t.Fatalf("unknown field: %d, want 400", st)
	}

	// Closing the account unlinks and disables it: the phone's token stops working.
	if st, body := office.do("DELETE", path, nil); st != 200 || !strings.Contains(string(body), `"user_id":0`) {
		t.Fatalf("close account: %d %s", st, body)
	}
	h.app.Accounts.FlushCache()
	if st, _ := phone.do("GET", "/api/v1/auth/me", nil); st != 401 {
		t.Fatalf("token of a closed account: %d, want 401", st)
	}
	if st, _ := office.do("DELETE", path, nil); st != 409 {
		t.Fatalf("closing twice: %d, want 409", st)
	}
	var actions []string
	rows, err := h.app.DB.Reader().QueryContext(t.Context(), `SELECT action FROM audit_events WHERE entity_type = 'helper' AND entity_id = ? ORDER BY seq`, fmt.Sprint(helper))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a string
		_ = rows.Scan(&a)
		actions = append(actions, a)
	}
	rows.Close()
	if strings.Join(actions, ",") != "helper.account_open,helper.account_close" {
		t.Fatalf("helper trail: %v", actions)
	}

	// Demo: each town's helper user is linked to a helper with households.
	demoPhone := h.fieldLogin("helper_320921100")
	if st, body := demoPhone.do("GET", "/api/v1/auth/me", nil); st != 200 {
		t.Fatalf("demo helper: %d %s", st, body)
	}
	var n int
	if err := h.app.DB.Reader().QueryRowContext(t.Context(), `SELECT COUNT(*) FROM helpers e JOIN users u ON u.id = e.user_id
		JOIN assignments a ON a.helper_id = e.id AND a.to_date IS NULL WHERE u.username = 'helper_320921100'`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("demo helper_320921100 has %d households (%v)", n, err)
	}
}
