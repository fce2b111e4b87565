// Package cgroup gives every execution environment its own control group,
// on cgroup v1 and cgroup v2, whichever the host offers (detected once at
// start-up by [DetectWith]).
//
// # Layout
//
// Groups are only ever created below the cgroup the server itself runs in,
// never at the root of a hierarchy the server was not given:
//
//	<server's cgroup>/kindling/<instance>/<environment>
//
// On cgroup v1 each controller is its own hierarchy and the server may sit at
// a different path in each (on some hosts memory is nested, e.g.
// /process_api/<id>, while freezer, pids and cpu are at the root), so the
// server's path is read per controller from /proc/self/cgroup and joined to
// that hierarchy's mount point from /proc/self/mountinfo. An environment
// therefore has one directory per hierarchy; [Group.ProcsFiles] lists their
// cgroup.procs files.
//
// The <instance> level keeps servers on one host apart: several servers
// (tests, a second node) may share a hierarchy, and the start-up
// [Manager.Sweep] must only remove its own leftovers. Pass a stable id per
// data directory ([InstanceID]) in [Options.Instance].
//
// # cgroup v2 delegation
//
// On cgroup v2 a controller can only be enabled for the children of a cgroup
// that has no processes of its own ("no internal processes" rule; the root
// is exempt). When the server's cgroup still has processes and the needed
// controllers are not yet enabled in its cgroup.subtree_control, Detect moves
// the server process into a leaf child, <server's cgroup>/kindling-server,
// then enables memory, pids and cpu in <server's cgroup>, kindling/ and
// kindling/<instance>/. This is the usual delegation pattern (systemd's
// Delegate=yes gives a service exactly such a subtree). Only the server
// process is moved: if other processes share its cgroup, enabling fails and
// Detect reports the controllers as unavailable rather than moving processes
// it does not own. A later Detect in the same process recognises the
// kindling-server leaf and keeps using its parent.
//
// # Use
//
// An environment's process must be born inside its group (moving a process
// later leaves its memory charged to the old group on v1), so the intended
// use is: [Manager.Create] a group, start the environment's small init
// process, which calls [Group.JoinSelf] (or [Join] with the paths from
// [Group.ProcsFiles]) before it execs the runtime. On v2 a process can also
// be started directly inside the group with clone3 (see [Group.OpenFD]).
package cgroup

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Controller names accepted by [Manager.Has]. On cgroup v2 "freezer" is the
// core cgroup.freeze interface rather than a controller.
const (
	Memory  = "memory"
	Pids    = "pids"
	Freezer = "freezer"
	CPU     = "cpu"
)

// wanted lists the controllers the package uses, in the order they are
// reported.
var wanted = []string{Memory, Pids, Freezer, CPU}

const (
	parentDir = "kindling"
	leafDir   = "kindling-server"
)

// Options configures [DetectWith].
type Options struct {
	// Logger receives the one start-up warning (and an info line). Nil means
	// slog.Default().
	Logger *slog.Logger
	// Root is prepended to every path read or written: /proc/self/cgroup,
	// /proc/self/mountinfo, /proc/<pid>/cgroup and the mount points found
	// there. Empty means the real root; tests point it at a fake tree.
	Root string
	// Instance names this server's directory below kindling/. Servers
	// sharing a host must use different instances (see [InstanceID]); the
	// default is "default".
	Instance string

	// Test hooks: a fake tree needs mkdir to create the control files the
	// kernel would, and rmdir to remove them.
	mkdir func(path string) error
	rmdir func(path string) error
	pid   int
}

// InstanceID derives a short, stable [Options.Instance] from a server's
// data directory, so that two servers with different data directories never
// touch each other's cgroups, while a restarted server finds (and sweeps)
// its previous run's.
func InstanceID(dataDir string) string {
	if abs, err := filepath.Abs(dataDir); err == nil {
		dataDir = abs
	}
	sum := sha256.Sum256([]byte(dataDir))
	return hex.EncodeToString(sum[:6])
}

// hierarchy is one directory tree the environments' groups live in: on v1
// one per mounted hierarchy that carries a controller we use, on v2 the
// single unified one.
type hierarchy struct {
	controllers []string // the controllers of ours served by it
	parent      string   // absolute path of kindling/<instance>
	rel         string   // the same path as /proc/<pid>/cgroup shows it
}

// features records what the kernel's files offer beyond the controllers.
type features struct {
	memsw      bool // v1 memory.memsw.limit_in_bytes: swap can be limited
	swapMax    bool // v2 memory.swap.max
	oomKill    bool // an oom_kill counter exists (v1 memory.oom_control, v2 memory.events)
	oomGroup   bool // v2 memory.oom.group
	peak       bool // an exact peak exists (v1 memory.max_usage_in_bytes, v2 memory.peak)
	cgroupKill bool // v2 cgroup.kill
}

// Manager creates and finds the environments' cgroups. It is immutable after
// [DetectWith] and safe for concurrent use.
type Manager struct {
	log      *slog.Logger
	root     string
	instance string
	version  int
	hiers    []*hierarchy
	byCtrl   map[string]*hierarchy
	feat     features
	missing  map[string]string // controller -> why it is unusable
	reason   string            // why nothing is usable
	mkdir    func(string) error
	rmdir    func(string) error
}

// DetectWith finds the cgroup version and the usable controllers for the
// calling process, creates the kindling/<instance> parent directories (on
// v2 after the delegation step described in the package documentation), and
// logs one warning naming whatever is missing and what that costs. It
// never fails: without cgroups the returned Manager reports
// Available() == false and every Create returns an error.
func DetectWith(o Options) *Manager {
	m := &Manager{
		log:      o.Logger,
		root:     o.Root,
		instance: o.Instance,
		byCtrl:   map[string]*hierarchy{},
		missing:  map[string]string{},
		mkdir:    o.mkdir,
		rmdir:    o.rmdir,
	}
	if m.log == nil {
		m.log = slog.Default()
	}
	if m.instance == "" {
		m.instance = "default"
	}
	if m.mkdir == nil {
		m.mkdir = func(p string) error { return os.Mkdir(p, 0o755) }
	}
	if m.rmdir == nil {
		m.rmdir = os.Remove
	}
	pid := o.pid
	if pid == 0 {
		pid = os.Getpid()
	}
	if !validName.MatchString(m.instance) {
		m.reason = fmt.Sprintf("invalid instance name %q", m.instance)
	} else {
		m.detect(pid)
	}
	m.report()
	return m
}

// Version returns 1 or 2, or 0 when no cgroup hierarchy is usable.
func (m *Manager) Version() int { return m.version }

// Available reports whether groups can be created with at least one usable
// controller.
func (m *Manager) Available() bool { return len(m.byCtrl) > 0 }

// Has reports whether a controller (Memory, Pids, Freezer, CPU) is usable.
func (m *Manager) Has(controller string) bool {
	_, ok := m.byCtrl[controller]
	return ok
}

// ExactPeak reports whether [Group.MemoryPeak] is the kernel's recorded
// peak (v1 memory.max_usage_in_bytes, v2 memory.peak). When false (v2 on
// kernels before 5.19) MemoryPeak can only return the current usage.
func (m *Manager) ExactPeak() bool { return m.Has(Memory) && m.feat.peak }

// Parents returns the kindling/<instance> directory of every hierarchy in
// use, for diagnostics.
func (m *Manager) Parents() []string {
	out := make([]string, 0, len(m.hiers))
	for _, h := range m.hiers {
		out = append(out, h.parent)
	}
	return out
}

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// Create makes the cgroup of one environment (a directory named name in
// every hierarchy) and applies l. name must be 1-128 characters of
// [A-Za-z0-9._-] and unique among live groups; an existing group of that
// name is an error wrapping fs.ErrExist. On failure nothing is left behind.
func (m *Manager) Create(name string, l Limits) (*Group, error) {
	if !m.Available() {
		return nil, fmt.Errorf("cgroup: create %q: no usable cgroups: %w", name, errors.ErrUnsupported)
	}
	if !validName.MatchString(name) {
		return nil, fmt.Errorf("cgroup: create: invalid group name %q", name)
	}
	g := m.group(name)
	for i, d := range g.dirs {
		if err := m.mkdir(d); err != nil {
			for _, done := range g.dirs[:i] {
				_ = m.rmdir(done)
			}
			return nil, fmt.Errorf("cgroup: create %q: %w", name, err)
		}
	}
	if err := g.init(l); err != nil {
		for _, d := range g.dirs {
			_ = m.rmdir(d)
		}
		return nil, fmt.Errorf("cgroup: create %q: %w", name, err)
	}
	return g, nil
}

// Open returns the group called name without creating or checking it, for
// a process that knows the name of an existing group.
func (m *Manager) Open(name string) (*Group, error) {
	if !m.Available() {
		return nil, fmt.Errorf("cgroup: open %q: no usable cgroups: %w", name, errors.ErrUnsupported)
	}
	if !validName.MatchString(name) {
		return nil, fmt.Errorf("cgroup: open: invalid group name %q", name)
	}
	return m.group(name), nil
}

func (m *Manager) group(name string) *Group {
	g := &Group{m: m, name: name}
	for _, h := range m.hiers {
		g.dirs = append(g.dirs, filepath.Join(h.parent, name))
	}
	return g
}

// Sweep removes every group left below this instance's kindling/<instance>
// directories, killing what still runs inside first. It is meant for
// start-up, before the first Create, to clean up after a server that was
// killed. It returns how many groups it removed; errors for single groups
// are joined and do not stop the sweep.
func (m *Manager) Sweep() (int, error) {
	if !m.Available() {
		return 0, nil
	}
	var names []string
	var errs []error
	for _, h := range m.hiers {
		entries, err := os.ReadDir(h.parent)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("cgroup: sweep: %w", err))
			}
			continue
		}
		for _, e := range entries {
			if e.IsDir() && !slices.Contains(names, e.Name()) {
				names = append(names, e.Name())
			}
		}
	}
	n := 0
	for _, name := range names {
		if !validName.MatchString(name) {
			continue
		}
		g := m.group(name)
		if err := g.Kill(); err != nil {
			errs = append(errs, fmt.Errorf("cgroup: sweep %q: %w", name, err))
			continue
		}
		if err := g.Remove(); err != nil {
			errs = append(errs, fmt.Errorf("cgroup: sweep %q: %w", name, err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// Close removes this instance's kindling/<instance> directories, and
// kindling/ itself when no other instance uses it. Groups still present
// keep their parent; remove them first. The server stays in the
// kindling-server leaf on v2 (leaving it would require disabling the
// controllers again).
func (m *Manager) Close() error {
	var errs []error
	for _, h := range m.hiers {
		if err := m.rmdir(h.parent); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("cgroup: close: %w", err))
			continue
		}
		_ = m.rmdir(filepath.Dir(h.parent)) // fails while another instance uses it
	}
	return errors.Join(errs...)
}

// costs says what each missing controller means for a function.
var costs = map[string]string{
	Memory:  "no memory limit per environment, Max Memory Used comes from the runtime's peak RSS, and an out-of-memory kill is not detected as such",
	Pids:    "no per-environment process limit beyond RLIMIT_NPROC",
	Freezer: "idle environments cannot be frozen",
	CPU:     "no per-environment CPU weight",
}

// report logs the outcome of detection: one warning when something is
// missing, otherwise one info line.
func (m *Manager) report() {
	if !m.Available() {
		reason := m.reason
		if reason == "" {
			var parts []string
			for _, c := range wanted {
				if why, ok := m.missing[c]; ok {
					parts = append(parts, c+": "+why)
				}
			}
			reason = strings.Join(parts, "; ")
		}
		m.log.Warn("cgroups unavailable, environments run without their own cgroup: "+
			"no memory limit (a function can use all host memory), Max Memory Used comes from the runtime's peak RSS, "+
			"out-of-memory kills are not detected as such, idle environments are not frozen, "+
			"and there is no per-environment process limit",
			"reason", reason)
		return
	}
	var missing, cost []string
	for _, c := range wanted {
		if why, ok := m.missing[c]; ok {
			missing = append(missing, c+" ("+why+")")
			cost = append(cost, costs[c])
		}
	}
	if m.Has(Memory) && !m.feat.peak {
		missing = append(missing, "memory.peak (kernel before 5.19)")
		cost = append(cost, "Max Memory Used is the usage at the end of an invocation, not its peak")
	}
	if m.Has(Memory) && !m.feat.oomKill {
		missing = append(missing, "oom_kill counter (kernel before 4.13)")
		cost = append(cost, "an out-of-memory kill is inferred from the memory limit having been hit")
	}
	if m.Has(Memory) && !m.feat.memsw && !m.feat.swapMax && swapConfigured(m.root) {
		missing = append(missing, "swap accounting")
		cost = append(cost, "swap cannot be disabled per environment, so a function may exceed its memory limit by swapping")
	}
	attrs := []any{"version", m.version, "instance", m.instance}
	for _, h := range m.hiers {
		attrs = append(attrs, strings.Join(h.controllers, ","), h.parent)
	}
	if len(missing) > 0 {
		attrs = append(attrs, "missing", strings.Join(missing, ", "), "cost", strings.Join(cost, "; "))
		m.log.Warn("cgroups partially available", attrs...)
		return
	}
	if m.version == 1 {
		attrs = append(attrs, "note", "cgroup v1 has no group OOM kill: the kernel kills the largest process and the environment is reset by its supervisor")
	}
	m.log.Info("cgroups available", attrs...)
}

// swapConfigured reports whether the host has any swap device.
func swapConfigured(root string) bool {
	b, err := os.ReadFile(filepath.Join(root, "/proc/swaps"))
	if err != nil {
		return false
	}
	return len(strings.Split(strings.TrimSpace(string(b)), "\n")) > 1
}

// detect fills m from /proc/self/cgroup and /proc/self/mountinfo.
func (m *Manager) detect(pid int) {
	cg, err := os.ReadFile(filepath.Join(m.root, "/proc/self/cgroup"))
	if err != nil {
		m.reason = fmt.Sprintf("cannot read /proc/self/cgroup: %v", err)
		return
	}
	mi, err := os.ReadFile(filepath.Join(m.root, "/proc/self/mountinfo"))
	if err != nil {
		m.reason = fmt.Sprintf("cannot read /proc/self/mountinfo: %v", err)
		return
	}
	mems := parseProcCgroup(cg)
	mounts := parseMountInfo(mi)
	if len(mounts) == 0 {
		m.reason = "no cgroup filesystem is mounted"
		return
	}

	// v1 wins where it carries memory; v2 where it does; otherwise whichever
	// has anything. This is a per-host decision, never a mix.
	v1Mem := findV1(mems, mounts, Memory, m.root)
	v2 := findV2(mems, mounts, m.root)
	useV2 := false
	switch {
	case v1Mem.ok:
	case v2.ok && slices.Contains(m.readControllers(v2.dir), Memory):
		useV2 = true
	case v2.ok && !anyV1(mems, mounts, m.root):
		useV2 = true
	}
	if useV2 {
		m.version = 2
		m.detectV2(v2, pid)
	} else {
		m.version = 1
		m.detectV1(mems, mounts)
	}
	if !m.Available() {
		m.version = 0
		m.hiers = nil
	}
}

// location is where the calling process sits in one hierarchy.
type location struct {
	ok       bool
	why      string
	dir      string // absolute directory of the process's cgroup
	rel      string // its path as /proc/<pid>/cgroup shows it
	mount    string // mount point, to group v1 controllers
	readOnly bool
}

func locate(mb membership, mt mount, root string) location {
	rel := mb.path
	sub := rel
	if mt.root != "/" {
		if rel != mt.root && !strings.HasPrefix(rel, mt.root+"/") {
			return location{why: fmt.Sprintf("its mount (root %s) does not contain the server's cgroup %s", mt.root, rel)}
		}
		sub = strings.TrimPrefix(rel, mt.root)
	}
	dir := filepath.Join(root, mt.mountPoint, sub)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return location{why: fmt.Sprintf("the server's cgroup directory %s is not visible", dir)}
	}
	return location{ok: true, dir: dir, rel: rel, mount: mt.mountPoint, readOnly: mt.readOnly}
}

func findV1(mems []membership, mounts []mount, ctrl, root string) location {
	var mb *membership
	for i := range mems {
		if slices.Contains(mems[i].controllers, ctrl) {
			mb = &mems[i]
			break
		}
	}
	if mb == nil {
		return location{why: "not listed in /proc/self/cgroup"}
	}
	last := location{why: "hierarchy not mounted"}
	for _, mt := range mounts {
		if mt.fsType != "cgroup" || !slices.Contains(mt.superOpts, ctrl) {
			continue
		}
		l := locate(*mb, mt, root)
		if l.ok {
			return l
		}
		last = l
	}
	return last
}

func anyV1(mems []membership, mounts []mount, root string) bool {
	for _, c := range wanted {
		if findV1(mems, mounts, c, root).ok {
			return true
		}
	}
	return false
}

func findV2(mems []membership, mounts []mount, root string) location {
	var mb *membership
	for i := range mems {
		if mems[i].id == "0" && len(mems[i].controllers) == 0 {
			mb = &mems[i]
		}
	}
	if mb == nil {
		return location{why: "no unified hierarchy in /proc/self/cgroup"}
	}
	last := location{why: "cgroup2 not mounted"}
	for _, mt := range mounts {
		if mt.fsType != "cgroup2" {
			continue
		}
		l := locate(*mb, mt, root)
		if l.ok {
			return l
		}
		last = l
	}
	return last
}

func (m *Manager) readControllers(dir string) []string {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.controllers"))
	if err != nil {
		return nil
	}
	return strings.Fields(string(b))
}

func (m *Manager) detectV1(mems []membership, mounts []mount) {
	byMount := map[string]*hierarchy{}
	for _, c := range wanted {
		l := findV1(mems, mounts, c, m.root)
		if !l.ok {
			m.missing[c] = l.why
			continue
		}
		if h, ok := byMount[l.mount]; ok {
			h.controllers = append(h.controllers, c)
			m.byCtrl[c] = h
			continue
		}
		if l.readOnly {
			m.missing[c] = "its hierarchy is mounted read-only"
			continue
		}
		parent, rel, err := m.makeParent(l, false)
		if err != nil {
			m.missing[c] = err.Error()
			continue
		}
		h := &hierarchy{controllers: []string{c}, parent: parent, rel: rel}
		byMount[l.mount] = h
		m.hiers = append(m.hiers, h)
		m.byCtrl[c] = h
	}
	if h, ok := m.byCtrl[Memory]; ok {
		m.feat.memsw = exists(filepath.Join(h.parent, "memory.memsw.limit_in_bytes"))
		m.feat.peak = exists(filepath.Join(h.parent, "memory.max_usage_in_bytes"))
		b, _ := os.ReadFile(filepath.Join(h.parent, "memory.oom_control"))
		_, m.feat.oomKill = parseKeyed(b)["oom_kill"]
	}
}

// makeParent creates kindling/<instance> below the server's cgroup in one
// hierarchy and returns its absolute path and its /proc/<pid>/cgroup path.
func (m *Manager) makeParent(l location, enable bool, ctrls ...string) (string, string, error) {
	dir, rel := l.dir, l.rel
	for _, part := range []string{parentDir, m.instance} {
		dir = filepath.Join(dir, part)
		rel = strings.TrimSuffix(rel, "/") + "/" + part
		if err := m.mkdir(dir); err != nil && !errors.Is(err, os.ErrExist) {
			hint := ""
			if errors.Is(err, os.ErrPermission) {
				hint = " (not root, and no delegated cgroup?)"
			}
			return "", "", fmt.Errorf("cannot create the kindling cgroup%s: %w", hint, err)
		}
		if enable {
			for _, c := range ctrls {
				if err := enableController(dir, c); err != nil {
					return "", "", err
				}
			}
		}
	}
	return dir, rel, nil
}

// v2Controllers are the real v2 controllers we enable (freezing is core).
var v2Controllers = []string{Memory, Pids, CPU}

func (m *Manager) detectV2(l location, pid int) {
	if l.readOnly {
		m.reason = "the cgroup2 filesystem is mounted read-only"
		return
	}
	// A previous Detect in this process may have moved us into the leaf.
	if filepath.Base(l.dir) == leafDir {
		l.dir = filepath.Dir(l.dir)
		l.rel = filepath.Dir(l.rel)
	}
	avail := m.readControllers(l.dir)
	enabled := m.subtree(l.dir)
	var use, need []string
	for _, c := range v2Controllers {
		switch {
		case !slices.Contains(avail, c):
			m.missing[c] = fmt.Sprintf("not delegated to the server's cgroup %s (absent from its cgroup.controllers)", l.rel)
		case slices.Contains(enabled, c):
			use = append(use, c)
		default:
			use = append(use, c)
			need = append(need, c)
		}
	}
	isRoot := !exists(filepath.Join(l.dir, "cgroup.type"))
	if len(need) > 0 && !isRoot {
		procs, _ := os.ReadFile(filepath.Join(l.dir, "cgroup.procs"))
		if len(parsePids(procs)) > 0 {
			if err := m.moveToLeaf(l.dir, pid); err != nil {
				for _, c := range need {
					m.missing[c] = err.Error()
				}
				use = slices.DeleteFunc(use, func(c string) bool { return slices.Contains(need, c) })
				need = nil
			}
		}
	}
	var ok []string
	for _, c := range use {
		if slices.Contains(need, c) {
			if err := enableController(l.dir, c); err != nil {
				m.missing[c] = err.Error()
				continue
			}
		}
		ok = append(ok, c)
	}
	parent, rel, err := m.makeParent(l, true, ok...)
	if err != nil {
		m.reason = err.Error()
		return
	}
	h := &hierarchy{parent: parent, rel: rel}
	m.hiers = []*hierarchy{h}
	for _, c := range ok {
		h.controllers = append(h.controllers, c)
		m.byCtrl[c] = h
	}
	if exists(filepath.Join(parent, "cgroup.freeze")) {
		h.controllers = append(h.controllers, Freezer)
		m.byCtrl[Freezer] = h
	} else {
		m.missing[Freezer] = "no cgroup.freeze (kernel before 5.2)"
	}
	m.feat.cgroupKill = exists(filepath.Join(parent, "cgroup.kill"))
	if m.Has(Memory) {
		m.feat.peak = exists(filepath.Join(parent, "memory.peak"))
		m.feat.swapMax = exists(filepath.Join(parent, "memory.swap.max"))
		m.feat.oomGroup = exists(filepath.Join(parent, "memory.oom.group"))
		m.feat.oomKill = exists(filepath.Join(parent, "memory.events"))
	}
}

// moveToLeaf moves the server process into <dir>/kindling-server so that
// dir has no processes of its own and may enable controllers for its
// children.
func (m *Manager) moveToLeaf(dir string, pid int) error {
	leaf := filepath.Join(dir, leafDir)
	if err := m.mkdir(leaf); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("cannot create the server's leaf cgroup: %w", err)
	}
	if err := writeFile(filepath.Join(leaf, "cgroup.procs"), strconv.Itoa(pid)); err != nil {
		return fmt.Errorf("cannot move the server into its leaf cgroup: %w", err)
	}
	m.log.Info("cgroup v2: moved the server into a leaf cgroup so its cgroup can delegate controllers", "leaf", leaf)
	return nil
}

func (m *Manager) subtree(dir string) []string {
	b, _ := os.ReadFile(filepath.Join(dir, "cgroup.subtree_control"))
	var out []string
	for _, f := range strings.Fields(string(b)) {
		out = append(out, strings.TrimPrefix(f, "+"))
	}
	return out
}

func enableController(dir, c string) error {
	b, _ := os.ReadFile(filepath.Join(dir, "cgroup.subtree_control"))
	for _, f := range strings.Fields(string(b)) {
		if strings.TrimPrefix(f, "+") == c {
			return nil
		}
	}
	if err := appendFile(filepath.Join(dir, "cgroup.subtree_control"), "+"+c+"\n"); err != nil {
		return fmt.Errorf("cannot enable %s for the children of %s (other processes in the server's cgroup?): %w", c, dir, err)
	}
	return nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
