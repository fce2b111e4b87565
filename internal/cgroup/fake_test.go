package cgroup

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// logBuf collects log output of one Manager.
type logBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuf) count(level string) int {
	return strings.Count(l.String(), "level="+level)
}

func newLog() (*logBuf, *slog.Logger) {
	b := &logBuf{}
	return b, slog.New(slog.NewTextHandler(b, nil))
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func files(t *testing.T, dir string, kv map[string]string) {
	t.Helper()
	for k, v := range kv {
		write(t, filepath.Join(dir, k), v)
	}
}

// fakeRmdir removes a fake cgroup directory with its control files, but,
// like the kernel, refuses while a sub-directory or a process is left.
func fakeRmdir(path string) error {
	entries, err := os.ReadDir(path)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			return &fs.PathError{Op: "rmdir", Path: path, Err: syscall.EBUSY}
		}
	}
	if b, _ := os.ReadFile(filepath.Join(path, "cgroup.procs")); len(parsePids(b)) > 0 {
		return &fs.PathError{Op: "rmdir", Path: path, Err: syscall.EBUSY}
	}
	return os.RemoveAll(path)
}

// ---- cgroup v2 ----

type fakeV2 struct {
	root    string
	self    string // server's cgroup directory
	noPeak  bool
	noFiles bool // mkdir fails with EACCES
}

const v2Self = "/system.slice/kindling.service"

func newFakeV2(t *testing.T) *fakeV2 {
	root := t.TempDir()
	f := &fakeV2{root: root, self: filepath.Join(root, "sys/fs/cgroup", v2Self)}
	write(t, filepath.Join(root, "proc/self/cgroup"), "0::"+v2Self+"\n")
	write(t, filepath.Join(root, "proc/self/mountinfo"),
		"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"+
			"30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n")
	cg := filepath.Join(root, "sys/fs/cgroup")
	files(t, cg, map[string]string{ // the root cgroup: no cgroup.type
		"cgroup.controllers": "cpuset cpu io memory hugetlb pids\n", "cgroup.subtree_control": "cpu memory pids\n", "cgroup.procs": "1\n",
	})
	files(t, filepath.Join(cg, "system.slice"), map[string]string{
		"cgroup.type": "domain\n", "cgroup.controllers": "cpu memory pids\n", "cgroup.subtree_control": "cpu memory pids\n", "cgroup.procs": "",
	})
	files(t, f.self, map[string]string{
		"cgroup.type": "domain\n", "cgroup.controllers": "cpu memory pids\n", "cgroup.subtree_control": "\n",
		"cgroup.procs": "4242\n", "cgroup.freeze": "0\n", "cgroup.kill": "", "memory.max": "max\n", "pids.max": "max\n",
	})
	return f
}

// mkdir plays the kernel: a new v2 cgroup gets the core files and those of
// the controllers enabled in its parent's cgroup.subtree_control.
// (No cgroup.events: the fake cannot change state by itself, so freezing
// does not wait.)
func (f *fakeV2) mkdir(path string) error {
	if f.noFiles {
		return &fs.PathError{Op: "mkdir", Path: path, Err: syscall.EACCES}
	}
	if err := os.Mkdir(path, 0o755); err != nil {
		return err
	}
	b, _ := os.ReadFile(filepath.Join(filepath.Dir(path), "cgroup.subtree_control"))
	var enabled []string
	for _, c := range strings.Fields(string(b)) {
		enabled = append(enabled, strings.TrimPrefix(c, "+"))
	}
	fl := map[string]string{
		"cgroup.procs": "", "cgroup.type": "domain\n", "cgroup.controllers": strings.Join(enabled, " ") + "\n",
		"cgroup.subtree_control": "", "cgroup.freeze": "0\n", "cgroup.kill": "",
	}
	if slices.Contains(enabled, "memory") {
		fl["memory.max"] = "max\n"
		fl["memory.swap.max"] = "max\n"
		fl["memory.current"] = "1048576\n"
		fl["memory.events"] = "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n"
		fl["memory.oom.group"] = "0\n"
		if !f.noPeak {
			fl["memory.peak"] = "67104768\n"
		}
	}
	if slices.Contains(enabled, "pids") {
		fl["pids.max"] = "max\n"
		fl["pids.current"] = "0\n"
	}
	if slices.Contains(enabled, "cpu") {
		fl["cpu.weight"] = "100\n"
	}
	for k, v := range fl {
		if err := os.WriteFile(filepath.Join(path, k), []byte(v), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeV2) detect(log *slog.Logger, instance string) *Manager {
	return DetectWith(Options{Logger: log, Root: f.root, Instance: instance, mkdir: f.mkdir, rmdir: fakeRmdir, pid: 4242})
}

func TestDetectV2Delegation(t *testing.T) {
	f := newFakeV2(t)
	logs, log := newLog()
	m := f.detect(log, "inst")
	if m.Version() != 2 || !m.Available() {
		t.Fatalf("version %d available %v; log:\n%s", m.Version(), m.Available(), logs)
	}
	for _, c := range []string{Memory, Pids, Freezer, CPU} {
		if !m.Has(c) {
			t.Errorf("Has(%s) = false", c)
		}
	}
	if !m.ExactPeak() {
		t.Error("ExactPeak false with memory.peak present")
	}
	// The service cgroup had a process and no controllers for its children:
	// the server moved itself into the leaf, then enabled them.
	if got := read(t, filepath.Join(f.self, leafDir, "cgroup.procs")); got != "4242" {
		t.Errorf("leaf cgroup.procs = %q, want the server's pid", got)
	}
	for _, d := range []string{f.self, filepath.Join(f.self, "kindling"), filepath.Join(f.self, "kindling", "inst")} {
		got := strings.Fields(read(t, filepath.Join(d, "cgroup.subtree_control")))
		for _, c := range []string{"+memory", "+pids", "+cpu"} {
			if !slices.Contains(got, c) {
				t.Errorf("%s/cgroup.subtree_control = %v, missing %s", d, got, c)
			}
		}
	}
	if want := []string{filepath.Join(f.self, "kindling", "inst")}; !slices.Equal(m.Parents(), want) {
		t.Errorf("Parents() = %v, want %v", m.Parents(), want)
	}
	if logs.count("WARN") != 0 || logs.count("INFO") != 2 {
		t.Errorf("want no warning, an info line for the move and one for the result; got:\n%s", logs)
	}

	// A second Detect in the same (moved) process keeps the same parent.
	write(t, filepath.Join(f.root, "proc/self/cgroup"), "0::"+v2Self+"/"+leafDir+"\n")
	m2 := f.detect(log, "inst")
	if !slices.Equal(m2.Parents(), m.Parents()) {
		t.Errorf("after the move Parents() = %v, want %v", m2.Parents(), m.Parents())
	}
}

func TestDetectV2AlreadyDelegated(t *testing.T) {
	f := newFakeV2(t)
	write(t, filepath.Join(f.self, "cgroup.subtree_control"), "cpu memory pids\n")
	write(t, filepath.Join(f.self, "cgroup.procs"), "")
	_, log := newLog()
	m := f.detect(log, "inst")
	if !m.Has(Memory) {
		t.Fatal("memory unavailable")
	}
	if _, err := os.Stat(filepath.Join(f.self, leafDir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("server moved although its cgroup already delegates: %v", err)
	}
}

func TestGroupV2(t *testing.T) {
	f := newFakeV2(t)
	_, log := newLog()
	m := f.detect(log, "inst")
	g, err := m.Create("env-1", Limits{MemoryBytes: 128 << 20, Pids: 1024, CPUWeight: 250})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(f.self, "kindling/inst/env-1")
	for _, c := range []string{Memory, Pids, Freezer, CPU} {
		if g.Path(c) != dir {
			t.Errorf("Path(%s) = %q, want %q", c, g.Path(c), dir)
		}
	}
	for file, want := range map[string]string{
		"memory.max": "134217728", "memory.swap.max": "0", "memory.oom.group": "1", "pids.max": "1024", "cpu.weight": "250",
	} {
		if got := read(t, filepath.Join(dir, file)); got != want {
			t.Errorf("%s = %q, want %q", file, got, want)
		}
	}
	if _, err := m.Create("env-1", Limits{}); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second Create of the same name: %v, want ErrExist", err)
	}

	// Limits can change later (assignment of a pre-booted environment).
	if err := g.SetLimits(Limits{}); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{"memory.max": "max", "memory.swap.max": "max", "pids.max": "max", "cpu.weight": "100"} {
		if got := read(t, filepath.Join(dir, file)); got != want {
			t.Errorf("after SetLimits(zero) %s = %q, want %q", file, got, want)
		}
	}

	if want := []string{filepath.Join(dir, "cgroup.procs")}; !slices.Equal(g.ProcsFiles(), want) {
		t.Errorf("ProcsFiles() = %v, want %v", g.ProcsFiles(), want)
	}
	if err := g.JoinSelf(); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(dir, "cgroup.procs")); got != "0" {
		t.Errorf("JoinSelf wrote %q, want 0 (the caller)", got)
	}
	write(t, filepath.Join(dir, "cgroup.procs"), "")

	fd, err := g.OpenFD()
	if err != nil {
		t.Fatal(err)
	}
	fd.Close()

	if got := g.MemoryPeak(); got != 67104768 {
		t.Errorf("MemoryPeak() = %d", got)
	}
	if got := g.MemoryCurrent(); got != 1<<20 {
		t.Errorf("MemoryCurrent() = %d", got)
	}
	if n, err := g.OOMKills(); err != nil || n != 1 {
		t.Errorf("OOMKills() = %d, %v; want 1 from memory.events", n, err)
	}
	if k, err := g.OOMKilled(); err != nil || !k {
		t.Errorf("OOMKilled() = %v, %v", k, err)
	}
	// ResetPeak keeps memory.peak open and reads the peak through that fd.
	if err := g.ResetPeak(); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(dir, "memory.peak")); !strings.HasPrefix(got, "reset") {
		t.Errorf("ResetPeak wrote %q", got)
	}
	write(t, filepath.Join(dir, "memory.peak"), "4096\n")
	if got := g.MemoryPeak(); got != 4096 {
		t.Errorf("MemoryPeak() after reset = %d, want 4096 through the kept fd", got)
	}

	if err := g.Freeze(); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(dir, "cgroup.freeze")); got != "1" {
		t.Errorf("cgroup.freeze = %q after Freeze", got)
	}
	if fr, err := g.Frozen(); err != nil || !fr {
		t.Errorf("Frozen() = %v, %v", fr, err)
	}
	if err := g.Thaw(); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(dir, "cgroup.freeze")); got != "0" {
		t.Errorf("cgroup.freeze = %q after Thaw", got)
	}

	if err := g.Kill(); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(dir, "cgroup.kill")); got != "1" {
		t.Errorf("cgroup.kill = %q after Kill", got)
	}
	if err := g.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("group directory left after Remove: %v", err)
	}
	if err := g.Remove(); err != nil {
		t.Errorf("second Remove: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(f.self, "kindling")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("kindling/ left after Close: %v", err)
	}
}

func TestV2WithoutPeak(t *testing.T) {
	f := newFakeV2(t)
	f.noPeak = true
	logs, log := newLog()
	m := f.detect(log, "inst")
	if m.ExactPeak() {
		t.Error("ExactPeak true without memory.peak")
	}
	if logs.count("WARN") != 1 || !strings.Contains(logs.String(), "memory.peak") {
		t.Errorf("want one warning naming memory.peak, got:\n%s", logs)
	}
	g, err := m.Create("e", Limits{MemoryBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	if got := g.MemoryPeak(); got != 1<<20 {
		t.Errorf("MemoryPeak() = %d, want memory.current", got)
	}
	if err := g.ResetPeak(); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("ResetPeak() = %v, want ErrUnsupported", err)
	}
}

func TestV2NotDelegated(t *testing.T) {
	f := newFakeV2(t)
	write(t, filepath.Join(f.self, "cgroup.controllers"), "pids\n")
	logs, log := newLog()
	m := f.detect(log, "inst")
	if !m.Available() || m.Has(Memory) || !m.Has(Pids) || !m.Has(Freezer) {
		t.Fatalf("Has memory/pids/freezer = %v/%v/%v", m.Has(Memory), m.Has(Pids), m.Has(Freezer))
	}
	if logs.count("WARN") != 1 || !strings.Contains(logs.String(), "no memory limit") {
		t.Errorf("want one warning about memory, got:\n%s", logs)
	}
}

// ---- cgroup v1 ----

type fakeV1 struct {
	root string
	mnt  string // root/sys/fs/cgroup
}

const v1MemSelf = "/process_api/abc"

// newFakeV1 mirrors a host where memory sits at a nested path and the
// other hierarchies at the root, cpu is co-mounted with cpuacct, and an
// empty cgroup2 hierarchy is mounted beside them.
func newFakeV1(t *testing.T, withFreezer bool) *fakeV1 {
	root := t.TempDir()
	f := &fakeV1{root: root, mnt: filepath.Join(root, "sys/fs/cgroup")}
	cg := "9:name=systemd:/\n8:pids:/\n4:memory:" + v1MemSelf + "\n2:cpu,cpuacct:/\n0::/\n"
	mi := "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n" +
		"32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n" +
		"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n" +
		"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n" +
		"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n" +
		"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
	if withFreezer {
		cg += "6:freezer:/\n"
		mi += "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
		write(t, filepath.Join(f.mnt, "freezer/cgroup.procs"), "1\n")
	}
	write(t, filepath.Join(root, "proc/self/cgroup"), cg)
	write(t, filepath.Join(root, "proc/self/mountinfo"), mi)
	write(t, filepath.Join(f.mnt, "memory", v1MemSelf, "cgroup.procs"), "4242\n")
	write(t, filepath.Join(f.mnt, "pids/cgroup.procs"), "1\n")
	write(t, filepath.Join(f.mnt, "cpu,cpuacct/cgroup.procs"), "1\n")
	write(t, filepath.Join(f.mnt, "unified/cgroup.controllers"), "hugetlb\n")
	write(t, filepath.Join(root, "proc/swaps"), "Filename Type Size Used Priority\n")
	return f
}

func (f *fakeV1) mkdir(path string) error {
	if err := os.Mkdir(path, 0o755); err != nil {
		return err
	}
	rel, _ := filepath.Rel(f.mnt, path)
	fl := map[string]string{"cgroup.procs": "", "tasks": "", "notify_on_release": "0\n"}
	switch strings.SplitN(rel, "/", 2)[0] {
	case "memory":
		fl["memory.limit_in_bytes"] = "9223372036854771712\n"
		fl["memory.memsw.limit_in_bytes"] = "9223372036854771712\n"
		fl["memory.usage_in_bytes"] = "2097152\n"
		fl["memory.max_usage_in_bytes"] = "67108864\n"
		fl["memory.oom_control"] = "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n"
		fl["memory.failcnt"] = "57\n"
		fl["memory.memsw.failcnt"] = "9\n"
		fl["memory.swappiness"] = "60\n"
	case "pids":
		fl["pids.max"] = "max\n"
		fl["pids.current"] = "0\n"
	case "freezer":
		fl["freezer.state"] = "THAWED\n"
	case "cpu,cpuacct":
		fl["cpu.shares"] = "1024\n"
	}
	for k, v := range fl {
		if err := os.WriteFile(filepath.Join(path, k), []byte(v), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeV1) detect(log *slog.Logger, instance string) *Manager {
	return DetectWith(Options{Logger: log, Root: f.root, Instance: instance, mkdir: f.mkdir, rmdir: fakeRmdir})
}

func TestDetectV1Nested(t *testing.T) {
	f := newFakeV1(t, true)
	logs, log := newLog()
	m := f.detect(log, "inst")
	if m.Version() != 1 {
		t.Fatalf("Version() = %d; log:\n%s", m.Version(), logs)
	}
	want := map[string]string{
		Memory:  filepath.Join(f.mnt, "memory", v1MemSelf, "kindling/inst"),
		Pids:    filepath.Join(f.mnt, "pids/kindling/inst"),
		Freezer: filepath.Join(f.mnt, "freezer/kindling/inst"),
		CPU:     filepath.Join(f.mnt, "cpu,cpuacct/kindling/inst"),
	}
	for c, p := range want {
		if !m.Has(c) {
			t.Errorf("Has(%s) = false", c)
			continue
		}
		if got := m.byCtrl[c].parent; got != p {
			t.Errorf("%s parent = %q, want %q", c, got, p)
		}
	}
	if !m.ExactPeak() {
		t.Error("ExactPeak false on v1")
	}
	if logs.count("WARN") != 0 || logs.count("INFO") != 1 {
		t.Errorf("want exactly one info line, got:\n%s", logs)
	}

	g, err := m.Create("env-1", Limits{MemoryBytes: 64 << 20, Pids: 10, CPUWeight: 50})
	if err != nil {
		t.Fatal(err)
	}
	mem := g.Path(Memory)
	if mem != filepath.Join(want[Memory], "env-1") {
		t.Errorf("memory path %q", mem)
	}
	for file, w := range map[string]string{
		filepath.Join(mem, "memory.limit_in_bytes"):       "67108864",
		filepath.Join(mem, "memory.memsw.limit_in_bytes"): "67108864",
		filepath.Join(mem, "memory.oom_control"):          "0",
		filepath.Join(g.Path(Pids), "pids.max"):           "10",
		filepath.Join(g.Path(CPU), "cpu.shares"):          "512",
	} {
		if got := read(t, file); got != w {
			t.Errorf("%s = %q, want %q", file, got, w)
		}
	}
	if err := g.SetLimits(Limits{MemoryBytes: 32 << 20, SwapBytes: 16 << 20}); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(mem, "memory.memsw.limit_in_bytes")); got != fmt.Sprint(48<<20) {
		t.Errorf("memsw = %s, want memory+swap", got)
	}
	if got := len(g.ProcsFiles()); got != 4 {
		t.Errorf("%d procs files, want one per hierarchy: %v", got, g.ProcsFiles())
	}
	if err := g.JoinSelf(); err != nil {
		t.Fatal(err)
	}
	for _, p := range g.ProcsFiles() {
		if got := read(t, p); got != "0" {
			t.Errorf("%s = %q after JoinSelf", p, got)
		}
		write(t, p, "")
	}
	if _, err := g.OpenFD(); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("OpenFD on v1: %v", err)
	}

	if got := g.MemoryPeak(); got != 64<<20 {
		t.Errorf("MemoryPeak() = %d", got)
	}
	if got := g.MemoryCurrent(); got != 2<<20 {
		t.Errorf("MemoryCurrent() = %d", got)
	}
	// (Create wrote "0" into the fake oom_control; give it the kernel's content.)
	write(t, filepath.Join(mem, "memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n")
	if n, err := g.OOMKills(); err != nil || n != 2 {
		t.Errorf("OOMKills() = %d, %v; want oom_kill from memory.oom_control", n, err)
	}
	// An older kernel without the oom_kill field: fall back to memsw.failcnt.
	write(t, filepath.Join(mem, "memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\n")
	if n, err := g.OOMKills(); err != nil || n != 9 {
		t.Errorf("OOMKills() without oom_kill = %d, %v; want memsw.failcnt", n, err)
	}
	if err := g.ResetPeak(); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(mem, "memory.max_usage_in_bytes")); got != "0" {
		t.Errorf("ResetPeak wrote %q", got)
	}

	if err := g.Freeze(); err != nil {
		t.Fatal(err)
	}
	if fr, err := g.Frozen(); err != nil || !fr {
		t.Errorf("Frozen() = %v, %v", fr, err)
	}
	if err := g.Thaw(); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(g.Path(Freezer), "freezer.state")); got != "THAWED" {
		t.Errorf("freezer.state = %q", got)
	}
	if pids, err := g.Pids(); err != nil || len(pids) != 0 {
		t.Errorf("Pids() = %v, %v", pids, err)
	}
	if err := g.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := g.Remove(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{Memory, Pids, Freezer, CPU} {
		if _, err := os.Stat(g.Path(c)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s directory left: %v", c, err)
		}
	}
}

func TestDetectV1WithoutFreezer(t *testing.T) {
	f := newFakeV1(t, false)
	logs, log := newLog()
	m := f.detect(log, "inst")
	if m.Version() != 1 || !m.Has(Memory) || m.Has(Freezer) {
		t.Fatalf("version %d memory %v freezer %v", m.Version(), m.Has(Memory), m.Has(Freezer))
	}
	if logs.count("WARN") != 1 || !strings.Contains(logs.String(), "cannot be frozen") {
		t.Errorf("want one warning about the freezer, got:\n%s", logs)
	}
	g, err := m.Create("e", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Freeze(); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Freeze() = %v, want ErrUnsupported", err)
	}
	if _, err := g.Frozen(); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Frozen() = %v, want ErrUnsupported", err)
	}
}

func TestSweep(t *testing.T) {
	for _, v := range []int{1, 2} {
		t.Run(fmt.Sprint("v", v), func(t *testing.T) {
			_, log := newLog()
			var detect func(string) *Manager
			if v == 1 {
				f := newFakeV1(t, true)
				detect = func(inst string) *Manager { return f.detect(log, inst) }
			} else {
				f := newFakeV2(t)
				detect = func(inst string) *Manager { return f.detect(log, inst) }
			}
			old := detect("a")
			var stale []*Group
			for _, name := range []string{"x1", "x2", "x3"} {
				g, err := old.Create(name, Limits{MemoryBytes: 1 << 20})
				if err != nil {
					t.Fatal(err)
				}
				stale = append(stale, g)
			}
			other := detect("b")
			keep, err := other.Create("x1", Limits{})
			if err != nil {
				t.Fatal(err)
			}

			n, err := detect("a").Sweep()
			if err != nil || n != 3 {
				t.Fatalf("Sweep() = %d, %v; want 3", n, err)
			}
			for _, g := range stale {
				for _, d := range g.dirs {
					if _, err := os.Stat(d); !errors.Is(err, fs.ErrNotExist) {
						t.Errorf("stale group %s left: %v", d, err)
					}
				}
			}
			for _, d := range keep.dirs {
				if _, err := os.Stat(d); err != nil {
					t.Errorf("another instance's group was swept: %v", err)
				}
			}
			if n, err := detect("a").Sweep(); err != nil || n != 0 {
				t.Errorf("second Sweep() = %d, %v", n, err)
			}
		})
	}
}

func TestUnavailable(t *testing.T) {
	t.Run("no cgroupfs", func(t *testing.T) {
		root := t.TempDir()
		write(t, filepath.Join(root, "proc/self/cgroup"), "0::/\n")
		write(t, filepath.Join(root, "proc/self/mountinfo"), "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n")
		logs, log := newLog()
		m := DetectWith(Options{Logger: log, Root: root})
		if m.Available() || m.Version() != 0 || m.Has(Memory) {
			t.Errorf("Available %v Version %d", m.Available(), m.Version())
		}
		if logs.count("WARN") != 1 || !strings.Contains(logs.String(), "no cgroup filesystem") ||
			!strings.Contains(logs.String(), "no memory limit") || !strings.Contains(logs.String(), "peak RSS") {
			t.Errorf("want one warning with reason and costs, got:\n%s", logs)
		}
		if _, err := m.Create("e", Limits{}); !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("Create() = %v, want ErrUnsupported", err)
		}
		if n, err := m.Sweep(); n != 0 || err != nil {
			t.Errorf("Sweep() = %d, %v", n, err)
		}
	})
	t.Run("not root", func(t *testing.T) {
		f := newFakeV2(t)
		f.noFiles = true
		logs, log := newLog()
		m := f.detect(log, "inst")
		if m.Available() {
			t.Error("Available with mkdir failing")
		}
		if logs.count("WARN") != 1 || !strings.Contains(logs.String(), "permission denied") {
			t.Errorf("want one warning naming the error, got:\n%s", logs)
		}
	})
	t.Run("read-only", func(t *testing.T) {
		f := newFakeV1(t, true)
		mi := read(t, filepath.Join(f.root, "proc/self/mountinfo"))
		write(t, filepath.Join(f.root, "proc/self/mountinfo"), strings.ReplaceAll(mi, " rw,relatime - cgroup cgroup", " ro,relatime - cgroup cgroup"))
		logs, log := newLog()
		m := f.detect(log, "inst")
		if m.Available() {
			t.Error("Available on a read-only cgroupfs")
		}
		if logs.count("WARN") != 1 || !strings.Contains(logs.String(), "read-only") {
			t.Errorf("want one warning naming read-only, got:\n%s", logs)
		}
	})
}

func TestCreateRejectsBadNames(t *testing.T) {
	f := newFakeV2(t)
	_, log := newLog()
	m := f.detect(log, "inst")
	for _, name := range []string{"", ".", "..", "a/b", "../x", strings.Repeat("a", 200)} {
		if _, err := m.Create(name, Limits{}); err == nil {
			t.Errorf("Create(%q) succeeded", name)
		}
	}
}

func TestParseMountInfo(t *testing.T) {
	mi := "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n" +
		"32 31 0:29 /docker/abc /sys/fs/cgroup/cpu\\040x rw,relatime shared:9 master:2 - cgroup cgroup rw,cpu,cpuacct\n" +
		"41 31 0:38 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw\n" +
		"garbage\n"
	got := parseMountInfo([]byte(mi))
	if len(got) != 2 {
		t.Fatalf("got %d mounts: %+v", len(got), got)
	}
	if got[0].root != "/docker/abc" || got[0].mountPoint != "/sys/fs/cgroup/cpu x" || got[0].fsType != "cgroup" ||
		!slices.Contains(got[0].superOpts, "cpuacct") || got[0].readOnly {
		t.Errorf("v1 mount parsed as %+v", got[0])
	}
	if got[1].fsType != "cgroup2" || !got[1].readOnly {
		t.Errorf("v2 mount parsed as %+v", got[1])
	}
}

func TestLocateWithMountRoot(t *testing.T) {
	// A container sees its own cgroup as the mount's root.
	root := t.TempDir()
	write(t, filepath.Join(root, "sys/fs/cgroup/memory/cgroup.procs"), "")
	l := locate(membership{path: "/docker/abc"}, mount{root: "/docker/abc", mountPoint: "/sys/fs/cgroup/memory"}, root)
	if !l.ok || l.dir != filepath.Join(root, "sys/fs/cgroup/memory") || l.rel != "/docker/abc" {
		t.Errorf("locate = %+v", l)
	}
	l = locate(membership{path: "/other"}, mount{root: "/docker/abc", mountPoint: "/sys/fs/cgroup/memory"}, root)
	if l.ok {
		t.Errorf("located a cgroup outside the mount: %+v", l)
	}
}

func TestParseProcCgroupAndKeyed(t *testing.T) {
	got := parseProcCgroup([]byte("12:cpu,cpuacct:/a\n1:name=systemd:/\n0::/user.slice\n"))
	if len(got) != 3 || !slices.Equal(got[0].controllers, []string{"cpu", "cpuacct"}) || got[2].id != "0" ||
		got[2].controllers != nil || got[2].path != "/user.slice" {
		t.Errorf("parseProcCgroup = %+v", got)
	}
	kv := parseKeyed([]byte("oom_kill_disable 0\nunder_oom 1\noom_kill 7\n"))
	if kv["oom_kill"] != 7 || kv["under_oom"] != 1 {
		t.Errorf("parseKeyed = %v", kv)
	}
}

func TestInstanceID(t *testing.T) {
	a, b := InstanceID("/var/lib/kindling"), InstanceID("/var/lib/kindling/")
	if a != b || len(a) != 12 || !validName.MatchString(a) || a == InstanceID("/srv/other") {
		t.Errorf("InstanceID: %q %q", a, b)
	}
}
