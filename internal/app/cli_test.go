package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/idcard"
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
	t.Setenv("SUNSHINE_DATA", t.TempDir()) // with PostgreSQL the demo's dataset files go under --data, not the source tree
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
	cliRegistryImports(t, dbFlag)
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

// cliRegistryImports imports households and members from files, imports them again (nothing
// changes), and round-trips the whole demo registry through export and import.
func cliRegistryImports(t *testing.T, dbFlag string) {
	dir := t.TempDir()
	id := func(n int) string {
		return idcard.Make("320921", time.Date(1960+n, 3, 4, 0, 0, 0, 0, time.UTC), 400+n, idcard.Sex(n%2))
	}
	files := map[string]string{
		"households": "户编号,村代码,户主身份证号,户主姓名,户类型,致贫原因,人均纯收入(元),收入年度\n" +
			"CLI-1,320921100201," + id(1) + ",命令行甲,低保户,因病,\"5,000\",2025\n" +
			"CLI-2,320921100201," + id(3) + ",命令行丙,一般户,缺技术;缺资金,6800.5,2025\n",
		"members": "户编号,身份证号,姓名,与户主关系,健康状况,劳动能力\n" +
			"CLI-1," + id(1) + ",命令行甲,户主,健康,有劳动力\nCLI-1," + id(2) + ",命令行乙,配偶,慢性病,弱劳动力\n" +
			"CLI-2," + id(3) + ",命令行丙,户主,大病,无劳动力\n",
	}
	for _, kind := range []string{"households", "members"} {
		file := filepath.Join(dir, kind+".csv")
		if err := os.WriteFile(file, []byte(files[kind]), 0o600); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"households": "2 inserted", "members": "3 inserted"}[kind]
		if code, out := runCLI(t, "", "import", kind, file, dbFlag); code != 0 || !strings.Contains(out, want) {
			t.Fatalf("import %s: %d %s", kind, code, out)
		}
		if code, out := runCLI(t, "", "import", kind, file, dbFlag); code != 0 || !strings.Contains(out, "0 inserted, 0 updated") {
			t.Fatalf("re-import %s: %d %s", kind, code, out)
		}
	}
	for _, kind := range []string{"households", "members", "helpers", "assignments"} {
		for _, format := range []string{"csv", "xlsx"} {
			file := filepath.Join(dir, "export-"+kind+"."+format)
			if code, out := runCLI(t, "", "export", kind, "--format", format, "--out", file, dbFlag); code != 0 {
				t.Fatalf("export %s: %d %s", kind, code, out)
			}
			if code, out := runCLI(t, "", "import", kind, file, dbFlag); code != 0 || !strings.Contains(out, "0 inserted, 0 updated") ||
				strings.Contains(out, " 0 rows") {
				t.Fatalf("import of the %s export (%s): %d %s", kind, format, code, out)
			}
		}
	}
}
