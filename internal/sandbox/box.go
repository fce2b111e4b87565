package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/kindling-dev/kindling/internal/cgroup"
	"github.com/kindling-dev/kindling/internal/proc"
)

// Paths a runtime sees inside its jail (reference/runtime.md §2.2).
const (
	jailTaskRoot    = "/var/task"
	jailRuntimeRoot = "/var/runtime"
)

// Per-environment limits (reference/runtime.md §2.7, §8 item 13).
const (
	maxOpenFiles = 1024
	maxProcesses = 1024
)

// box is where one environment's runtime lives: the paths as the runtime
// sees them and, when isolating, the jail it is born into.
type box struct {
	taskRoot    string
	runtimeRoot string
	jail        *proc.Jail
	// group is the environment's cgroup; nil without cgroups.
	group   *cgroup.Group
	release func() // frees the box's user id, cgroup and memory once its processes are gone
}

// uidPool hands out one unprivileged user id per live environment. Ids are
// claimed host-wide with a lock file per id (flock, released when the
// server process dies), so two servers on one host never share an id or
// kill each other's processes when they release one.
type uidPool struct {
	base, size int
	dir        string
	mu         sync.Mutex
	held       map[int]*os.File
}

// uidLockDir is where servers on this host claim their ids.
const uidLockDir = "/run/kindling/uids"

func newUIDPool(dir string, base, size int) (*uidPool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		dir = filepath.Join(os.TempDir(), "kindling-uids")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("uid lock dir: %w", err)
		}
	}
	return &uidPool{base: base, size: size, dir: dir, held: map[int]*os.File{}}, nil
}

func (p *uidPool) take() (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := 0; i < p.size; i++ {
		uid := p.base + i
		if p.held[uid] != nil {
			continue
		}
		f, err := os.OpenFile(filepath.Join(p.dir, strconv.Itoa(uid)), os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			return 0, fmt.Errorf("uid lock: %w", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close() // another server holds this id
			continue
		}
		p.held[uid] = f
		return uid, nil
	}
	return 0, fmt.Errorf("all %d sandbox user ids are in use", p.size)
}

func (p *uidPool) put(uid int) {
	p.mu.Lock()
	if f := p.held[uid]; f != nil {
		f.Close() // releases the lock
		delete(p.held, uid)
	}
	p.mu.Unlock()
}

// newBox prepares the box for spec: a jail with its own user id when the
// manager isolates, the host paths otherwise.
func (m *Manager) newBox(spec *Spec) (*box, error) {
	if err := m.reserveMemory(spec.MemoryMB); err != nil {
		return nil, err
	}
	if !m.isolate {
		return &box{taskRoot: spec.CodeDir, runtimeRoot: m.opts.RuntimeDir,
			release: func() { m.unreserveMemory(spec.MemoryMB) }}, nil
	}
	uid, err := m.uids.take()
	if err != nil {
		m.unreserveMemory(spec.MemoryMB)
		return nil, err
	}
	b := &box{
		taskRoot:    jailTaskRoot,
		runtimeRoot: jailRuntimeRoot,
		jail: &proc.Jail{UID: uid, GID: uid, TaskDir: spec.CodeDir, RuntimeDir: m.opts.RuntimeDir,
			TmpMB: spec.TmpMB, NoFile: maxOpenFiles, NProc: maxProcesses},
	}
	if cg := m.opts.Cgroups; cg != nil && cg.Available() {
		// The memory limit is MemorySize; /tmp (tmpfs) is charged to it too.
		g, err := cg.Create(fmt.Sprintf("env-%d-%d", uid, m.seq.Add(1)),
			cgroup.Limits{MemoryBytes: int64(spec.MemoryMB) << 20, Pids: maxProcesses})
		if err != nil {
			m.uids.put(uid)
			m.unreserveMemory(spec.MemoryMB)
			return nil, fmt.Errorf("environment cgroup: %w", err)
		}
		b.group = g
		b.jail.CgroupProcs = g.ProcsFiles()
	}
	b.release = func() {
		if b.group != nil {
			_ = b.group.Kill()
			_ = b.group.Remove()
		}
		killUser(uid)
		m.uids.put(uid)
		m.unreserveMemory(spec.MemoryMB)
	}
	return b, nil
}

// killUser SIGKILLs every process still running as uid (a process that
// left the environment's process group), so a reused id inherits nothing.
func killUser(uid int) {
	for round := 0; round < 10; round++ {
		found := false
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			if procUID(pid) == uid {
				found = true
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		if !found {
			return
		}
	}
}

func procUID(pid int) int {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Uid:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				uid, _ := strconv.Atoi(f[0])
				return uid
			}
		}
	}
	return -1
}
