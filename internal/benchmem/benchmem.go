// Package benchmem measures how much memory a benchmark's process held while it ran, for the
// peak-memory figures the issues ask for. Linux only (it reads /proc/self); elsewhere the RSS
// figure is 0.
package benchmem

import (
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Peak records the kernel's peak RSS from Start (reset there, so set-up does not count; it
// includes SQLite's page cache, which lives outside Go's heap, and heap the runtime has not yet
// handed back) and, sampled every 10 ms, the bytes of Go heap objects (live and not yet
// collected).
type Peak struct {
	stopc chan struct{}
	wg    sync.WaitGroup
	goMax uint64
}

// Start resets the peak and starts sampling.
func Start() *Peak {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // resets VmHWM (Linux ≥ 4.0)
	m := &Peak{stopc: make(chan struct{})}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			m.goMax = max(m.goMax, s[0].Value.Uint64())
			select {
			case <-m.stopc:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

// Stop ends sampling and returns the peak RSS and the peak of Go heap objects, in MB.
func (m *Peak) Stop() (rssMB, goMB float64) {
	close(m.stopc)
	m.wg.Wait()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s) // what is held now counts too, whenever the last tick was
	m.goMax = max(m.goMax, s[0].Value.Uint64())
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
				rssMB = kb / 1024
			}
		}
	}
	return rssMB, float64(m.goMax) / (1 << 20)
}

// CPU is the process's user + system CPU time so far: on a shared machine it says what the
// work cost when the wall clock says mostly what else was running.
func CPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
