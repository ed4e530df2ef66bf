package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"sunshine/internal/db"
	"sunshine/internal/demo"
)

// BenchmarkColdStart: from exec of `sunshine serve` on a data directory holding the city demo
// to /readyz answering 200 (goal < 1 s). BenchmarkProcessStart is the baseline: exec of
// `sunshine version`, the cost of starting the binary at all.
func BenchmarkColdStart(b *testing.B) {
	bin, dir := cityData(b)
	for i := 0; i < b.N; i++ {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		start := time.Now()
		cmd := exec.Command(bin, "serve", "--data", dir, "--addr", addr, "--log-level", "error")
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		for {
			resp, err := http.Get("http://" + addr + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			if time.Since(start) > 30*time.Second {
				b.Fatal("not ready after 30 s")
			}
			time.Sleep(2 * time.Millisecond)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms-to-ready")
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}

func BenchmarkProcessStart(b *testing.B) {
	bin, _ := cityData(b)
	for i := 0; i < b.N; i++ {
		if out, err := exec.Command(bin, "version").CombinedOutput(); err != nil {
			b.Fatal(err, string(out))
		}
	}
}

var cityDir string

// cityData builds the binary and a SQLite data directory with the city demo once per run.
func cityData(b *testing.B) (bin, dir string) {
	b.Helper()
	base := filepath.Join(os.TempDir(), "sunshine-bench-city")
	bin, dir = filepath.Join(base, "sunshine"), filepath.Join(base, "data")
	if cityDir != "" {
		return bin, dir
	}
	b.StopTimer()
	defer b.StartTimer()
	_ = os.RemoveAll(base)
	if out, err := exec.Command("go", "build", "-o", bin, "sunshine/cmd/sunshine").CombinedOutput(); err != nil {
		b.Fatal(err, string(out))
	}
	ctx := context.Background()
	d, err := db.Open(ctx, "", dir)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := demo.Load(ctx, d, demo.City); err != nil {
		b.Fatal(fmt.Errorf("city demo: %w", err))
	}
	cityDir = dir
	return bin, dir
}
