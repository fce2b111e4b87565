package e2e

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// requireHeavy runs a heavy case only when KINDLING_E2E_HEAVY=1 (.ci/run
// sets it).
func requireHeavy(t *testing.T) {
	t.Helper()
	if os.Getenv("KINDLING_E2E_HEAVY") != "1" {
		t.Skip("heavy case: set KINDLING_E2E_HEAVY=1")
	}
}

// childPids lists the live processes whose parent is pid: a server's
// runtimes.
func childPids(pid int) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		b, err := os.ReadFile("/proc/" + e.Name() + "/status")
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "PPid:"); ok && strings.TrimSpace(rest) == strconv.Itoa(pid) {
				if p, err := strconv.Atoi(e.Name()); err == nil {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

func countChildren(pid int) int { return len(childPids(pid)) }

// A burst of 100 concurrent invokes of one function is served by up to 100
// environments without a single error, and the pool shrinks back when idle
// (the environments issue, "Lifecycle and concurrency").
func TestBurstOf100(t *testing.T) {
	requireHeavy(t)
	s := startServer(t, t.TempDir(), "--idle-timeout", "3s")
	defer s.stop()
	name := "burst"
	createFn(t, s, name, echoZip(t, "burst"))
	const n = 100
	var wg sync.WaitGroup
	statuses := make([]int, n)
	bodies := make([]string, n)
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := signedDo(s, "POST", fnPath(name)+"/invocations", []byte(`{"sleepMs":300}`), nil)
			if err != nil {
				bodies[i] = err.Error()
				return
			}
			statuses[i], bodies[i] = r.status, string(r.body)
			if r.header.Get("X-Amz-Function-Error") != "" {
				statuses[i] = -1
			}
		}()
	}
	wg.Wait()
	t.Logf("100 concurrent invokes served in %v", time.Since(start))
	for i, st := range statuses {
		if st != 200 {
			t.Fatalf("invoke %d: status %d: %s", i, st, bodies[i])
		}
	}
	got := countChildren(s.cmd.Process.Pid)
	t.Logf("environments after the burst: %d", got)
	if got == 0 || got > n {
		t.Fatalf("%d environments for %d concurrent invokes", got, n)
	}
	eventually(t, 30*time.Second, "the pool to shrink back when idle", func() bool {
		return countChildren(s.cmd.Process.Pid) == 0
	})
}
