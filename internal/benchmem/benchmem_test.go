package benchmem

import (
	"runtime"
	"testing"
)

// The heap figure follows what the code between Start and Stop allocated.
func TestPeakSeesAnAllocation(t *testing.T) {
	runtime.GC()
	p := Start()
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	for range 3 {
		runtime.Gosched()
	}
	rss, heap := p.Stop()
	runtime.KeepAlive(buf)
	if heap < 64 {
		t.Fatalf("heap peak %.1f MB after allocating 64 MB", heap)
	}
	if runtime.GOOS == "linux" && rss < 64 {
		t.Fatalf("RSS peak %.1f MB after touching 64 MB", rss)
	}
}
