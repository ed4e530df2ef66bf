package account

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("Sunshine#2026")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash format %s", h)
	}
	h2, _ := HashPassword("Sunshine#2026")
	if h == h2 {
		t.Error("two hashes of one password share a salt")
	}
	if !VerifyPassword(h, "Sunshine#2026") || VerifyPassword(h, "Sunshine#2027") || VerifyPassword("garbage", "x") {
		t.Error("verify gives wrong answers")
	}
	if VerifyPassword(dummyHash, "") {
		t.Error("dummy hash verifies")
	}
}

func TestCheckPassword(t *testing.T) {
	for pw, ok := range map[string]bool{"Sunshine#2026": true, "short#A1": false, "alllowercaseletters": false, "lowerUPPER123": true, "密码密码密码密码12ab": true} {
		if got := CheckPassword(pw) == ""; got != ok {
			t.Errorf("CheckPassword(%q) ok=%v, want %v", pw, got, ok)
		}
	}
}

func TestThrottle(t *testing.T) {
	th := NewThrottle(3, time.Minute)
	now := time.Now()
	for i := 0; i < 3; i++ {
		if b, _ := th.Blocked("u:x", now); b {
			t.Fatalf("blocked after %d failures", i)
		}
		th.Fail("u:x", now)
	}
	if b, wait := th.Blocked("u:x", now.Add(10*time.Second)); !b || wait <= 0 || wait > time.Minute {
		t.Errorf("after 3 failures: blocked=%v wait=%v", b, wait)
	}
	if b, _ := th.Blocked("u:x", now.Add(61*time.Second)); b {
		t.Error("still blocked after the window")
	}
	th.Fail("u:y", now)
	th.Reset("u:y")
	if b, _ := th.Blocked("u:y", now); b {
		t.Error("blocked after reset")
	}
}
