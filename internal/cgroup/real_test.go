package cgroup

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// These tests use the host's real cgroups. They need root and a memory
// controller: without them they skip, except under CI=true, where they
// fail (CI has both).

const (
	helperEnv = "KINDLING_CGROUP_TEST_HELPER"
	procsEnv  = "KINDLING_CGROUP_TEST_PROCS"
)

func failOrSkip(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// realManager detects the host's cgroups with an instance of this test
// process, and checks at the end that nothing is left behind.
func realManager(t *testing.T) *Manager {
	t.Helper()
	if os.Geteuid() != 0 {
		failOrSkip(t, "needs root for cgroups")
	}
	logs, log := newLog()
	m := DetectWith(Options{Logger: log, Instance: fmt.Sprintf("test-%d", os.Getpid())})
	if !m.Available() || !m.Has(Memory) {
		failOrSkip(t, "needs a usable memory cgroup controller; detection said:\n%s", logs)
	}
	t.Logf("cgroup v%d: %v", m.Version(), m.Parents())
	t.Cleanup(func() {
		if n, err := m.Sweep(); err != nil || n != 0 {
			t.Errorf("groups left at the end: %d, %v", n, err)
		}
		if err := m.Close(); err != nil {
			t.Error(err)
		}
		for _, p := range m.Parents() {
			if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s left behind: %v", p, err)
			}
		}
	})
	return m
}

// TestHelperProcess is the child the real tests start: it joins the group
// whose cgroup.procs files are in $KINDLING_CGROUP_TEST_PROCS, then does
// what $KINDLING_CGROUP_TEST_HELPER says.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		return
	}
	if err := Join(strings.Split(os.Getenv(procsEnv), "\n")); err != nil {
		fmt.Fprintln(os.Stderr, "join:", err)
		os.Exit(3)
	}
	fmt.Println("joined")
	switch mode {
	case "alloc": // ~200 MiB, every page touched
		var keep [][]byte
		for range 200 {
			b := make([]byte, 1<<20)
			for i := 0; i < len(b); i += 4096 {
				b[i] = 1
			}
			keep = append(keep, b)
		}
		fmt.Println("survived", len(keep))
	case "spin":
		for n := 0; ; n++ {
			if n == 1<<62 {
				fmt.Println(n)
			}
		}
	case "sleep":
		time.Sleep(time.Hour)
	case "forkloop":
		// Python, not Go: a Go process dies when it cannot create a thread.
		// It waits for a line on stdin (so the test can set pids.max on the
		// live group), then tries to start 100 sleeps and reports.
		script := `
import subprocess, sys, time
sys.stdin.readline()
started, failed = [], 0
for i in range(100):
    try:
        started.append(subprocess.Popen(["sleep", "60"]).pid)
    except OSError:
        failed += 1
print("started", *started, flush=True)
print("failed", failed, flush=True)
time.sleep(60)
`
		py := pythonPath()
		err := syscall.Exec(py, []string{py, "-c", script}, os.Environ())
		fmt.Fprintln(os.Stderr, "exec:", err)
		os.Exit(3)
	}
	os.Exit(0)
}

func pythonPath() string {
	for _, p := range []string{"/usr/bin/python3", "/usr/local/bin/python3"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

type helper struct {
	cmd   *exec.Cmd
	out   *bufio.Reader
	stdin io.WriteCloser
}

func (h *helper) line(t *testing.T) string {
	t.Helper()
	s, err := h.out.ReadString('\n')
	if err != nil {
		t.Fatalf("helper output: %v", err)
	}
	return strings.TrimSpace(s)
}

func startHelper(t *testing.T, g *Group, mode string) *helper {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, procsEnv+"="+strings.Join(g.ProcsFiles(), "\n"))
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &helper{cmd: cmd, out: bufio.NewReader(stdout), stdin: stdin}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	if got := h.line(t); got != "joined" {
		t.Fatalf("helper said %q, want joined", got)
	}
	return h
}

func killedBySIGKILL(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

func TestRealOOM(t *testing.T) {
	m := realManager(t)
	const limit = 64 << 20
	g, err := m.Create("oom", Limits{MemoryBytes: limit, Pids: 256})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Remove()
	if k, err := g.OOMKilled(); err != nil || k {
		t.Fatalf("fresh group: OOMKilled() = %v, %v", k, err)
	}
	h := startHelper(t, g, "alloc")
	rest, _ := io.ReadAll(h.out)
	err = h.cmd.Wait()
	if !killedBySIGKILL(err) || strings.Contains(string(rest), "survived") {
		t.Fatalf("child allocating 200 MiB under a 64 MiB limit: %v, output %q", err, rest)
	}
	if k, err := g.OOMKilled(); err != nil || !k {
		t.Errorf("OOMKilled() = %v, %v after an OOM kill", k, err)
	}
	peak := g.MemoryPeak()
	t.Logf("peak %d MiB (%d bytes), exact %v", peak>>20, peak, m.ExactPeak())
	if peak < limit*3/4 || peak > limit+(1<<20) {
		t.Errorf("MemoryPeak() = %d, want close to the %d limit", peak, limit)
	}
	if err := g.ResetPeak(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("ResetPeak: %v", err)
	} else if err == nil {
		if p := g.MemoryPeak(); p > limit/4 {
			t.Errorf("MemoryPeak() after ResetPeak on an empty group = %d", p)
		}
	}
	if pids, err := g.Pids(); err != nil || len(pids) != 0 {
		t.Errorf("Pids() after the kill = %v, %v", pids, err)
	}
	if err := g.Remove(); err != nil {
		t.Fatal(err)
	}
}

func TestRealPidsLimit(t *testing.T) {
	m := realManager(t)
	if !m.Has(Pids) {
		failOrSkip(t, "needs the pids controller")
	}
	if pythonPath() == "" {
		failOrSkip(t, "needs /usr/bin/python3 for a child that survives a failed fork")
	}
	// Orphans of the killed child come back to us, not to a pid 1 that may
	// not reap them.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	defer unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)

	g, err := m.Create("pids", Limits{MemoryBytes: 512 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Remove()
	h := startHelper(t, g, "forkloop")
	// The limit is set on the live group, as when a pre-booted environment
	// is assigned.
	if err := g.SetLimits(Limits{MemoryBytes: 512 << 20, Pids: 10}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // let execve shed the Go threads
	if _, err := io.WriteString(h.stdin, "go\n"); err != nil {
		t.Fatal(err)
	}
	startedLine, failedLine := h.line(t), h.line(t)
	var started []int
	for _, f := range strings.Fields(startedLine)[1:] {
		n, _ := strconv.Atoi(f)
		started = append(started, n)
	}
	failed, _ := strconv.Atoi(strings.TrimPrefix(failedLine, "failed "))
	t.Logf("started %d, failed %d", len(started), failed)
	if failed == 0 || len(started) > 9 || len(started)+failed != 100 {
		t.Fatalf("pids.max=10: started %d sleeps, %d failed", len(started), failed)
	}
	pids, err := g.Pids()
	if err != nil {
		t.Fatal(err)
	}
	if len(pids) > 10 || !slices.Contains(pids, h.cmd.Process.Pid) {
		t.Errorf("Pids() = %v with the child %d", pids, h.cmd.Process.Pid)
	}
	for _, p := range started {
		if !slices.Contains(pids, p) {
			t.Errorf("sleep %d is not in the group %v", p, pids)
		}
	}
	if err := g.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := h.cmd.Wait(); !killedBySIGKILL(err) {
		t.Errorf("child after Kill: %v", err)
	}
	for _, p := range started {
		var ws unix.WaitStatus
		if _, err := unix.Wait4(p, &ws, 0, nil); err != nil {
			t.Errorf("wait for sleep %d: %v", p, err)
		} else if !ws.Signaled() || ws.Signal() != unix.SIGKILL {
			t.Errorf("sleep %d ended with %v, want SIGKILL", p, ws)
		}
	}
	if pids, err := g.Pids(); err != nil || len(pids) != 0 {
		t.Errorf("Pids() after Kill = %v, %v", pids, err)
	}
	if err := g.Remove(); err != nil {
		t.Fatal(err)
	}
}

// cpuTicks returns utime+stime of pid from /proc/<pid>/stat.
func cpuTicks(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the parenthesised command: state is field 3, utime 14, stime 15.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s
}

func TestRealFreeze(t *testing.T) {
	m := realManager(t)
	if !m.Has(Freezer) {
		failOrSkip(t, "needs a freezer")
	}
	g, err := m.Create("freeze", Limits{MemoryBytes: 512 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Remove()
	h := startHelper(t, g, "spin")
	pid := h.cmd.Process.Pid
	waitAdvance := func(from int64) int64 {
		deadline := time.Now().Add(3 * time.Second)
		for time.Now().Before(deadline) {
			if c := cpuTicks(t, pid); c > from {
				return c
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("CPU time of the spinning child stayed at %d", from)
		return 0
	}
	waitAdvance(cpuTicks(t, pid))

	if err := g.Freeze(); err != nil {
		t.Fatal(err)
	}
	if fr, err := g.Frozen(); err != nil || !fr {
		t.Fatalf("Frozen() = %v, %v", fr, err)
	}
	before := cpuTicks(t, pid)
	time.Sleep(500 * time.Millisecond)
	if after := cpuTicks(t, pid); after != before {
		t.Errorf("CPU time advanced while frozen: %d -> %d ticks", before, after)
	}

	if err := g.Thaw(); err != nil {
		t.Fatal(err)
	}
	if fr, err := g.Frozen(); err != nil || fr {
		t.Errorf("Frozen() after Thaw = %v, %v", fr, err)
	}
	waitAdvance(cpuTicks(t, pid))

	// Killing a frozen group works too.
	if err := g.Freeze(); err != nil {
		t.Fatal(err)
	}
	if err := g.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := h.cmd.Wait(); !killedBySIGKILL(err) {
		t.Errorf("child after Kill: %v", err)
	}
	if err := g.Remove(); err != nil {
		t.Fatal(err)
	}
}

func TestRealSweepAndRemove(t *testing.T) {
	m := realManager(t)
	var groups []*Group
	for _, name := range []string{"stale-1", "stale-2"} {
		g, err := m.Create(name, Limits{MemoryBytes: 256 << 20, Pids: 64})
		if err != nil {
			t.Fatal(err)
		}
		groups = append(groups, g)
	}
	h := startHelper(t, groups[0], "sleep")

	// Remove refuses a group that still has a process.
	if err := groups[0].Remove(); err == nil {
		t.Fatal("Remove of a group with a live process succeeded")
	}

	// A "restarted server": a new Manager for the same instance.
	m2 := DetectWith(Options{Logger: slog.New(slog.DiscardHandler), Instance: m.instance})
	n, err := m2.Sweep()
	if err != nil || n != 2 {
		t.Fatalf("Sweep() = %d, %v; want 2", n, err)
	}
	if err := h.cmd.Wait(); !killedBySIGKILL(err) {
		t.Errorf("process in a swept group: %v", err)
	}
	for _, g := range groups {
		for _, d := range g.dirs {
			if _, err := os.Stat(d); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s left after Sweep: %v", d, err)
			}
		}
	}
	for _, p := range m.Parents() {
		entries, err := os.ReadDir(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() {
				t.Errorf("%s left in %s", e.Name(), p)
			}
		}
	}
}

func TestRealCloneIntoCgroup(t *testing.T) {
	m := realManager(t)
	if m.Version() != 2 {
		t.Skip("CLONE_INTO_CGROUP needs cgroup v2; this host runs v1")
	}
	g, err := m.Create("clone", Limits{MemoryBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Remove()
	f, err := g.OpenFD()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", "-c", "cat /proc/self/cgroup")
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: int(f.Fd())}
	out, err := cmd.Output()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "/"+filepath.Base(filepath.Dir(g.dirs[0]))+"/clone") {
		t.Errorf("child born in %q, want the group", out)
	}
}
