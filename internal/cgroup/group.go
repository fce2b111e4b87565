package cgroup

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Limits are the resource limits of one environment. A zero field means
// "no limit" (for CPUWeight: the kernel's default weight).
type Limits struct {
	// MemoryBytes caps RAM (v1 memory.limit_in_bytes, v2 memory.max).
	MemoryBytes int64
	// SwapBytes is the swap allowed on top of MemoryBytes. Zero disables
	// swap where the kernel can (v1 memory.memsw.limit_in_bytes equal to the
	// memory limit, v2 memory.swap.max=0), so the memory limit is real;
	// without swap accounting memory.swappiness is set to 0 instead.
	SwapBytes int64
	// Pids caps processes plus threads (pids.max).
	Pids int64
	// CPUWeight is the relative CPU share on the v2 scale 1-10000 (default
	// 100); on v1 it is mapped onto cpu.shares (100 -> 1024).
	CPUWeight int64
}

// Group is the cgroup of one execution environment: one directory per
// hierarchy in use. Its methods are safe for concurrent use.
type Group struct {
	m    *Manager
	name string
	dirs []string // parallel to m.hiers

	mu     sync.Mutex
	peakFD *os.File // v2 memory.peak opened for a per-fd reset
}

// Name returns the group's name.
func (g *Group) Name() string { return g.name }

// Path returns the group's directory for a controller (Memory, Pids,
// Freezer, CPU), or "" when that controller is unavailable.
func (g *Group) Path(controller string) string {
	d, _ := g.dir(controller)
	return d
}

func (g *Group) dir(ctrl string) (string, bool) {
	h, ok := g.m.byCtrl[ctrl]
	if !ok {
		return "", false
	}
	i := slices.Index(g.m.hiers, h)
	return g.dirs[i], true
}

// ProcsFiles returns the cgroup.procs file of every directory of the
// group. Writing a pid (or "0" for the writer itself) to each of them
// moves that process, with all its threads, into the group; see [Join].
func (g *Group) ProcsFiles() []string {
	out := make([]string, len(g.dirs))
	for i, d := range g.dirs {
		out[i] = filepath.Join(d, "cgroup.procs")
	}
	return out
}

// JoinSelf moves the calling process (all its threads) into the group, in
// every hierarchy. The intended caller is an environment's init process,
// in the child, before it execs the runtime: the runtime is then born
// inside the group and all its memory is charged there. Calling it from
// the server would put the server under the environment's limits.
func (g *Group) JoinSelf() error {
	return Join(g.ProcsFiles())
}

// Join moves the calling process into the cgroups whose cgroup.procs files
// are given (as returned by [Group.ProcsFiles]), for an init process that
// received them from the server instead of holding a [Group].
func Join(procsFiles []string) error {
	for _, p := range procsFiles {
		if err := writeFile(p, "0"); err != nil {
			return fmt.Errorf("cgroup: join: %w", err)
		}
	}
	return nil
}

// OpenFD opens the group's directory for clone3's CLONE_INTO_CGROUP, so a
// process can be started directly inside the group (cgroup v2 only, kernel
// 5.7 or later):
//
//	f, err := g.OpenFD()
//	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: int(f.Fd())}
//
// The caller closes f once the process has started. On v1 it returns an
// error wrapping errors.ErrUnsupported.
func (g *Group) OpenFD() (*os.File, error) {
	if g.m.version != 2 {
		return nil, fmt.Errorf("cgroup: CLONE_INTO_CGROUP needs cgroup v2: %w", errors.ErrUnsupported)
	}
	f, err := os.OpenFile(g.dirs[0], os.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		return nil, fmt.Errorf("cgroup: open %q: %w", g.name, err)
	}
	return f, nil
}

// init applies the settings made once per group, then the limits.
func (g *Group) init(l Limits) error {
	if dir, ok := g.dir(Memory); ok {
		switch {
		case g.m.version == 1:
			// Keep the OOM killer enabled (oom_kill_disable 0). v1 has no group
			// kill: the kernel kills the largest process and the supervisor
			// resets the environment when its runtime dies.
			if err := writeFile(filepath.Join(dir, "memory.oom_control"), "0"); err != nil {
				return err
			}
		case g.m.feat.oomGroup:
			// An OOM kill takes the whole environment, never half of it.
			if err := writeFile(filepath.Join(dir, "memory.oom.group"), "1"); err != nil {
				return err
			}
		}
	}
	return g.SetLimits(l)
}

// SetLimits applies l to the group, replacing earlier limits. It may be
// called on a group that already has processes, for example when a
// pre-booted environment is assigned to a function; lowering the memory
// limit below current usage makes the kernel reclaim, or OOM-kill.
func (g *Group) SetLimits(l Limits) error {
	if dir, ok := g.dir(Memory); ok {
		var err error
		if g.m.version == 1 {
			err = g.setMemoryV1(dir, l)
		} else {
			err = g.setMemoryV2(dir, l)
		}
		if err != nil {
			return fmt.Errorf("cgroup: %q: %w", g.name, err)
		}
	}
	if dir, ok := g.dir(Pids); ok {
		if err := writeFile(filepath.Join(dir, "pids.max"), limitString(l.Pids, "max")); err != nil {
			return fmt.Errorf("cgroup: %q: %w", g.name, err)
		}
	}
	if dir, ok := g.dir(CPU); ok {
		w := min(max(l.CPUWeight, 0), 10000)
		if w == 0 {
			w = 100
		}
		var err error
		if g.m.version == 1 {
			err = writeFile(filepath.Join(dir, "cpu.shares"), strconv.FormatInt(max(w*1024/100, 2), 10))
		} else {
			err = writeFile(filepath.Join(dir, "cpu.weight"), strconv.FormatInt(w, 10))
		}
		if err != nil {
			return fmt.Errorf("cgroup: %q: %w", g.name, err)
		}
	}
	return nil
}

func limitString(n int64, unlimited string) string {
	if n <= 0 {
		return unlimited
	}
	return strconv.FormatInt(n, 10)
}

func (g *Group) setMemoryV1(dir string, l Limits) error {
	limit := limitString(l.MemoryBytes, "-1")
	memsw := "-1"
	if l.MemoryBytes > 0 {
		memsw = strconv.FormatInt(l.MemoryBytes+max(l.SwapBytes, 0), 10)
	}
	lf := filepath.Join(dir, "memory.limit_in_bytes")
	if !g.m.feat.memsw {
		if err := writeFile(lf, limit); err != nil {
			return err
		}
		if l.MemoryBytes > 0 && l.SwapBytes <= 0 {
			// Best effort: without memsw the kernel can only be asked not to swap.
			_ = writeFile(filepath.Join(dir, "memory.swappiness"), "0")
		}
		return nil
	}
	// The kernel requires limit_in_bytes <= memsw.limit_in_bytes at every
	// step: lower the memory limit first, or raise memsw first.
	sf := filepath.Join(dir, "memory.memsw.limit_in_bytes")
	if err := writeFile(lf, limit); err != nil {
		if err2 := writeFile(sf, memsw); err2 != nil {
			return err
		}
		return writeFile(lf, limit)
	}
	return writeFile(sf, memsw)
}

func (g *Group) setMemoryV2(dir string, l Limits) error {
	if err := writeFile(filepath.Join(dir, "memory.max"), limitString(l.MemoryBytes, "max")); err != nil {
		return err
	}
	if g.m.feat.swapMax {
		swap := "max"
		if l.MemoryBytes > 0 {
			swap = strconv.FormatInt(max(l.SwapBytes, 0), 10)
		}
		if err := writeFile(filepath.Join(dir, "memory.swap.max"), swap); err != nil {
			return err
		}
	}
	return nil
}

// MemoryCurrent returns the group's current memory usage in bytes (v1
// memory.usage_in_bytes, v2 memory.current), or 0 when unknown.
func (g *Group) MemoryCurrent() int64 {
	dir, ok := g.dir(Memory)
	if !ok {
		return 0
	}
	file := "memory.current"
	if g.m.version == 1 {
		file = "memory.usage_in_bytes"
	}
	n, _ := readInt(filepath.Join(dir, file))
	return n
}

// MemoryPeak returns the group's peak memory usage in bytes since it was
// created or since the last [Group.ResetPeak]: v1 memory.max_usage_in_bytes,
// v2 memory.peak. On v2 kernels before 5.19 there is no recorded peak and
// it returns the current usage instead ([Manager.ExactPeak] is false then
// and Detect said so). It returns 0 when memory is not controlled.
func (g *Group) MemoryPeak() int64 {
	dir, ok := g.dir(Memory)
	if !ok {
		return 0
	}
	if g.m.version == 1 {
		n, _ := readInt(filepath.Join(dir, "memory.max_usage_in_bytes"))
		return n
	}
	g.mu.Lock()
	f := g.peakFD
	if f != nil {
		// The per-fd peak since ResetPeak; read while holding the lock so
		// Remove cannot close it underneath.
		defer g.mu.Unlock()
		buf := make([]byte, 64)
		n, err := f.ReadAt(buf, 0)
		if err == nil || errors.Is(err, io.EOF) {
			if v, perr := strconv.ParseInt(strings.TrimSpace(string(buf[:n])), 10, 64); perr == nil {
				return v
			}
		}
		return 0
	}
	g.mu.Unlock()
	if g.m.feat.peak {
		n, _ := readInt(filepath.Join(dir, "memory.peak"))
		return n
	}
	return g.MemoryCurrent()
}

// ResetPeak restarts peak tracking at the current usage, so that
// [Group.MemoryPeak] can report Max Memory Used per invocation. v1 writes 0
// to memory.max_usage_in_bytes. v2 (kernel 6.12 or later) resets
// memory.peak through a file descriptor the group keeps open, because the
// kernel tracks a reset peak per open file. Elsewhere it returns an error
// wrapping errors.ErrUnsupported and the peak stays the group's lifetime
// peak.
func (g *Group) ResetPeak() error {
	dir, ok := g.dir(Memory)
	if !ok {
		return fmt.Errorf("cgroup: reset peak: no memory controller: %w", errors.ErrUnsupported)
	}
	if g.m.version == 1 {
		return writeFile(filepath.Join(dir, "memory.max_usage_in_bytes"), "0")
	}
	if !g.m.feat.peak {
		return fmt.Errorf("cgroup: reset peak: no memory.peak: %w", errors.ErrUnsupported)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.peakFD == nil {
		f, err := os.OpenFile(filepath.Join(dir, "memory.peak"), os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("cgroup: reset peak (kernel before 6.12?): %w: %w", errors.ErrUnsupported, err)
		}
		g.peakFD = f
	}
	if _, err := g.peakFD.WriteAt([]byte("reset\n"), 0); err != nil {
		_ = g.peakFD.Close()
		g.peakFD = nil
		return fmt.Errorf("cgroup: reset peak (kernel before 6.12?): %w: %w", errors.ErrUnsupported, err)
	}
	return nil
}

// OOMKills returns how many processes the kernel's OOM killer has killed
// in the group (v2 memory.events oom_kill, v1 memory.oom_control oom_kill,
// kernel 4.13 or later). On older v1 kernels it returns
// memory.memsw.failcnt (or memory.failcnt): how often the limit was hit,
// which over-counts (reclaim may have succeeded) but is the only signal
// left. Compare values before and after an invocation to attribute a kill.
func (g *Group) OOMKills() (int64, error) {
	dir, ok := g.dir(Memory)
	if !ok {
		return 0, fmt.Errorf("cgroup: oom kills: no memory controller: %w", errors.ErrUnsupported)
	}
	file := "memory.events"
	if g.m.version == 1 {
		file = "memory.oom_control"
	}
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return 0, fmt.Errorf("cgroup: oom kills: %w", err)
	}
	if n, ok := parseKeyed(b)["oom_kill"]; ok {
		return n, nil
	}
	if g.m.version == 1 {
		f := "memory.failcnt"
		if g.m.feat.memsw {
			f = "memory.memsw.failcnt"
		}
		n, err := readInt(filepath.Join(dir, f))
		if err != nil {
			return 0, fmt.Errorf("cgroup: oom kills: %w", err)
		}
		return n, nil
	}
	return 0, fmt.Errorf("cgroup: oom kills: no oom_kill in %s: %w", file, errors.ErrUnsupported)
}

// OOMKilled reports whether the OOM killer has killed anything in the
// group since it was created (see [Group.OOMKills]).
func (g *Group) OOMKilled() (bool, error) {
	n, err := g.OOMKills()
	return n > 0, err
}

const freezeTimeout = 2 * time.Second

// Freeze stops every process in the group (v1 freezer.state=FROZEN, v2
// cgroup.freeze=1) and waits until the kernel reports them frozen. Frozen
// processes use no CPU and keep their memory. Without a freezer it returns
// an error wrapping errors.ErrUnsupported.
func (g *Group) Freeze() error { return g.setFrozen(true, freezeTimeout) }

// Thaw resumes a frozen group.
func (g *Group) Thaw() error { return g.setFrozen(false, freezeTimeout) }

func (g *Group) setFrozen(on bool, timeout time.Duration) error {
	dir, ok := g.dir(Freezer)
	if !ok {
		return fmt.Errorf("cgroup: freeze %q: no freezer: %w", g.name, errors.ErrUnsupported)
	}
	var err error
	if g.m.version == 1 {
		state := "THAWED"
		if on {
			state = "FROZEN"
		}
		err = writeFile(filepath.Join(dir, "freezer.state"), state)
	} else {
		err = writeFile(filepath.Join(dir, "cgroup.freeze"), map[bool]string{true: "1", false: "0"}[on])
	}
	if err != nil {
		return fmt.Errorf("cgroup: freeze %q: %w", g.name, err)
	}
	deadline := time.Now().Add(timeout)
	for wait := time.Millisecond; ; wait = min(2*wait, 20*time.Millisecond) {
		frozen, known, err := g.frozen(dir)
		if err != nil {
			return fmt.Errorf("cgroup: freeze %q: %w", g.name, err)
		}
		if !known || frozen == on {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cgroup: freeze %q: state did not settle within %v", g.name, timeout)
		}
		time.Sleep(wait)
	}
}

// Frozen reports whether the group is completely frozen (a group still
// freezing is not).
func (g *Group) Frozen() (bool, error) {
	dir, ok := g.dir(Freezer)
	if !ok {
		return false, fmt.Errorf("cgroup: frozen %q: no freezer: %w", g.name, errors.ErrUnsupported)
	}
	frozen, _, err := g.frozen(dir)
	if err != nil {
		return false, fmt.Errorf("cgroup: frozen %q: %w", g.name, err)
	}
	return frozen, nil
}

// frozen reads the freezer state; known is false when the kernel offers
// no state to wait on (a v2 group without cgroup.events).
func (g *Group) frozen(dir string) (frozen, known bool, err error) {
	if g.m.version == 1 {
		s, err := readString(filepath.Join(dir, "freezer.state"))
		return s == "FROZEN", true, err
	}
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.events"))
	if errors.Is(err, fs.ErrNotExist) {
		s, err := readString(filepath.Join(dir, "cgroup.freeze"))
		return s == "1", false, err
	}
	if err != nil {
		return false, true, err
	}
	return parseKeyed(b)["frozen"] == 1, true, nil
}

// Pids returns the processes in the group (in any of its directories),
// sorted. The error wraps fs.ErrNotExist when the group does not exist.
func (g *Group) Pids() ([]int, error) {
	var out []int
	missing := 0
	for _, f := range g.ProcsFiles() {
		b, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			missing++
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("cgroup: pids %q: %w", g.name, err)
		}
		out = append(out, parsePids(b)...)
	}
	if missing == len(g.dirs) {
		return nil, fmt.Errorf("cgroup: pids %q: %w", g.name, fs.ErrNotExist)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

const killTimeout = 5 * time.Second

// Kill SIGKILLs every process in the group and waits until it is empty. On
// v2 with cgroup.kill (kernel 5.14) the kernel does it atomically.
// Otherwise it repeats until the group is empty: freeze (so nothing can
// fork or exit meanwhile), SIGKILL each listed pid through a pidfd after
// checking that it still belongs to the group (so a recycled pid is never
// hit), thaw. A group that does not exist is already empty.
func (g *Group) Kill() error {
	deadline := time.Now().Add(killTimeout)
	if g.m.version == 2 && g.m.feat.cgroupKill {
		err := writeFile(filepath.Join(g.dirs[0], "cgroup.kill"), "1")
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("cgroup: kill %q: %w", g.name, err)
		}
	}
	_, hasFreezer := g.dir(Freezer)
	for {
		frozen := false
		if hasFreezer && !(g.m.version == 2 && g.m.feat.cgroupKill) {
			frozen = g.setFrozen(true, 100*time.Millisecond) == nil
		}
		pids, err := g.Pids()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		for _, pid := range pids {
			g.signal(pid)
		}
		if hasFreezer && (frozen || len(pids) > 0) {
			_ = g.setFrozen(false, time.Second)
		}
		if err != nil {
			return fmt.Errorf("cgroup: kill %q: %w", g.name, err)
		}
		if len(pids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cgroup: kill %q: %d processes still present after %v", g.name, len(pids), killTimeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// signal SIGKILLs pid if it is still a member of the group.
func (g *Group) signal(pid int) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		if errors.Is(err, unix.ESRCH) {
			return
		}
		// No pidfd (kernel before 5.3): a small recycling window remains.
		if g.member(pid) {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
		return
	}
	defer unix.Close(fd)
	// The pidfd pins the process now at pid; if it is not in the group,
	// it is not ours, and if it died meanwhile the signal fails with ESRCH.
	if g.member(pid) {
		_ = unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
	}
}

// member reports whether /proc/<pid>/cgroup places pid in the group (or
// below it) in any of the group's hierarchies.
func (g *Group) member(pid int) bool {
	b, err := os.ReadFile(filepath.Join(g.m.root, "/proc", strconv.Itoa(pid), "cgroup"))
	if err != nil {
		return false
	}
	lines := parseProcCgroup(b)
	for _, h := range g.m.hiers {
		want := strings.TrimSuffix(h.rel, "/") + "/" + g.name
		for _, l := range lines {
			if l.path != want && !strings.HasPrefix(l.path, want+"/") {
				continue
			}
			if g.m.version == 2 && l.id == "0" && len(l.controllers) == 0 {
				return true
			}
			if g.m.version == 1 && slices.Contains(l.controllers, h.controllers[0]) {
				return true
			}
		}
	}
	return false
}

const removeTimeout = 2 * time.Second

// Remove deletes the group's directories. The group must be empty (see
// [Group.Kill]): with processes listed it fails at once. While the kernel
// is still releasing exited processes rmdir fails with EBUSY although the
// group looks empty, so it retries briefly. Removing a group that no
// longer exists is not an error.
func (g *Group) Remove() error {
	g.mu.Lock()
	if g.peakFD != nil {
		_ = g.peakFD.Close()
		g.peakFD = nil
	}
	g.mu.Unlock()
	var errs []error
	for i := len(g.dirs) - 1; i >= 0; i-- {
		deadline := time.Now().Add(removeTimeout)
		for {
			err := g.m.rmdir(g.dirs[i])
			if err == nil || errors.Is(err, fs.ErrNotExist) {
				break
			}
			if errors.Is(err, syscall.EBUSY) {
				b, _ := os.ReadFile(filepath.Join(g.dirs[i], "cgroup.procs"))
				if n := len(parsePids(b)); n > 0 {
					errs = append(errs, fmt.Errorf("cgroup: remove %q: %d processes still inside (Kill first): %w", g.name, n, err))
					break
				}
				if time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
					continue
				}
			}
			errs = append(errs, fmt.Errorf("cgroup: remove %q: %w", g.name, err))
			break
		}
	}
	return errors.Join(errs...)
}

// writeFile writes val to a control file in a single write, as the kernel
// expects. The file must exist (cgroupfs files cannot be created).
func writeFile(path, val string) error {
	return writeFlags(path, val, os.O_WRONLY|os.O_TRUNC)
}

// appendFile is writeFile for files that accumulate (cgroup.subtree_control):
// the kernel treats both alike, a fake tree in tests does not.
func appendFile(path, val string) error {
	return writeFlags(path, val, os.O_WRONLY|os.O_APPEND)
}

func writeFlags(path, val string, flags int) error {
	f, err := os.OpenFile(path, flags, 0)
	if err != nil {
		return fmt.Errorf("cgroup: %w", err)
	}
	_, err = f.WriteString(val)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is in the message below
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cgroup: set %s to %q: %w", path, strings.TrimSpace(val), err)
	}
	return nil
}

func readString(path string) (string, error) {
	b, err := os.ReadFile(path)
	return strings.TrimSpace(string(b)), err
}

// readInt reads a number; "max" reads as -1.
func readInt(path string) (int64, error) {
	s, err := readString(path)
	if err != nil {
		return 0, err
	}
	if s == "max" {
		return -1, nil
	}
	return strconv.ParseInt(s, 10, 64)
}
