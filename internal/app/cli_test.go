package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
)

func runCLI(t *testing.T, stdin string, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := Run(args, strings.NewReader(stdin), &out, &out)
	return code, out.String()
}

// The command line end to end: migrate, demo, users, import/export, and audit verify catching
// a row changed behind the system's back, naming the event.
func TestCommandLine(t *testing.T) {
	url := dbtest.URL(t)
	dbFlag := "--db=" + url
	if code, out := runCLI(t, "", "migrate", dbFlag); code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate: %d %s", code, out)
	}
	if code, out := runCLI(t, "", "demo", dbFlag, "--scale", "small"); code != 0 || !strings.Contains(out, "households") {
		t.Fatalf("demo: %d %s", code, out)
	}
	if code, out := runCLI(t, "Strong#Pass2026\n", "user", "add", dbFlag, "--username", "zhang_san", "--name", "张三", "--role", "auditor", "--scope", "320921000000"); code != 0 {
		t.Fatalf("user add: %d %s", code, out)
	}
	if code, out := runCLI(t, "weak\n", "user", "passwd", dbFlag, "--username", "zhang_san"); code != 1 || !strings.Contains(out, "密码") {
		t.Fatalf("weak password accepted: %d %s", code, out)
	}
	if code, out := runCLI(t, "", "user", "disable", dbFlag, "--username", "zhang_san"); code != 0 {
		t.Fatalf("disable: %d %s", code, out)
	}
	file := filepath.Join(t.TempDir(), "regions.xlsx")
	if code, out := runCLI(t, "", "export", "regions", dbFlag, "--format", "xlsx", "--out", file); code != 0 {
		t.Fatalf("export: %d %s", code, out)
	}
	if code, out := runCLI(t, "", "import", "regions", file, dbFlag); code != 0 || !strings.Contains(out, "0 inserted, 0 updated") {
		t.Fatalf("re-import of the export: %d %s", code, out)
	}
	if code, out := runCLI(t, "", "audit", "verify", dbFlag); code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("verify: %d %s", code, out)
	}
	// Tamper with the second event behind the system's back.
	ctx := context.Background()
	d, err := db.Open(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE audit_events SET actor_name = 'someone else' WHERE seq = 2`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if code, out := runCLI(t, "", "audit", "verify", dbFlag); code != 3 || !strings.Contains(out, "seq 2") {
		t.Fatalf("verify after tampering: %d %s", code, out)
	}
	if code, _ := runCLI(t, "", "nonsense"); code != 2 {
		t.Errorf("unknown command: %d", code)
	}
	if code, out := runCLI(t, "", "serve", "--addr", "nohost", dbFlag); code != 1 || !strings.Contains(out, "addr") {
		t.Errorf("bad --addr: %d %s", code, out)
	}
	_ = os.Remove(file)
}
