package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kindling-dev/kindling/internal/cgroup"
	"github.com/kindling-dev/kindling/internal/logs"
	"github.com/kindling-dev/kindling/internal/proc"
	"github.com/kindling-dev/kindling/internal/runtimeapi"
	"github.com/kindling-dev/kindling/internal/runtimes/nodejs"
	"github.com/kindling-dev/kindling/internal/runtimes/python"
)

// DefaultUIDBase is the first user id environments run as; uidCount ids
// from there are reserved for them.
const (
	DefaultUIDBase = 990000
	uidCount       = 10000
)

// ErrClosed is returned once the manager is shutting down.
var ErrClosed = errors.New("sandbox: shutting down")

// Options configures a Manager.
type Options struct {
	// RuntimeDir is where the embedded runtime bootstraps are written.
	RuntimeDir string
	// IdleTimeout is how long an idle environment stays warm.
	IdleTimeout time.Duration
	Echo        Echo
	// Isolate runs each environment in a jail (needs root and the
	// kindling binary as proc.InitBinary): own user, mount namespace,
	// read-only /var/task, private /tmp.
	Isolate bool
	// UIDBase is the first of the user ids given to environments.
	UIDBase int
	// BudgetMB caps the sum of MemorySize over live environments
	// (0: DefaultBudgetMB).
	BudgetMB int
	// NoFreeze keeps idle environments running instead of stopping them
	// between invocations.
	NoFreeze bool
	// Cgroups gives each isolated environment its own cgroup (memory and
	// pids limits, peak memory, OOM detection, freezing); nil or
	// unavailable means without.
	Cgroups *cgroup.Manager
	// Endpoint is the Lambda API URL functions get as
	// AWS_ENDPOINT_URL_LAMBDA; AccessKeyID and SecretAccessKey are the
	// credentials they get for it.
	Endpoint, AccessKeyID, SecretAccessKey string
}

// Manager owns every environment on this node, pooled per version key.
// Lock order: Manager.mu before Environment.mu; never the reverse.
type Manager struct {
	opts    Options
	isolate bool
	uids    *uidPool
	budget  int // MB
	seq     atomic.Int64
	prov    provisioner

	mu        sync.Mutex
	pools     map[string]*pool
	closed    bool
	committed int           // MB reserved by live environments
	freed     chan struct{} // closed and replaced when memory is given back
	busy      sync.WaitGroup
	stop      chan struct{}
}

// pool holds the environments of one version (one key).
type pool struct {
	key      string
	function string
	idle     []*Environment // most recently used last
	busy     int            // invocations holding (or starting) an environment
	retired  bool
	// provisioned is how many environments provisioned concurrency keeps
	// (the reaper leaves that many idle ones alone).
	provisioned int
}

// NewManager writes the runtime bootstraps and starts the idle reaper.
func NewManager(opts Options) (*Manager, error) {
	if err := os.MkdirAll(opts.RuntimeDir, 0o755); err != nil {
		return nil, fmt.Errorf("runtime dir: %w", err)
	}
	for name, content := range map[string][]byte{nodejs.BootstrapName: nodejs.Bootstrap, python.BootstrapName: python.Bootstrap} {
		if err := writeIfChanged(filepath.Join(opts.RuntimeDir, name), content); err != nil {
			return nil, err
		}
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 10 * time.Minute
	}
	if opts.BudgetMB <= 0 {
		opts.BudgetMB = DefaultBudgetMB()
	}
	m := &Manager{opts: opts, pools: map[string]*pool{}, stop: make(chan struct{}), budget: opts.BudgetMB, freed: make(chan struct{})}
	if opts.Isolate {
		if err := proc.PrepareHost(); err != nil {
			return nil, err
		}
		if opts.UIDBase <= 0 {
			opts.UIDBase = DefaultUIDBase
		}
		uids, err := newUIDPool(uidLockDir, opts.UIDBase, uidCount)
		if err != nil {
			return nil, err
		}
		m.isolate, m.uids = true, uids
	}
	m.prov = provisioner{targets: map[string]Target{}, failed: map[string]string{}, kick: make(chan struct{}, 1)}
	go m.reap()
	go m.provision()
	return m, nil
}

func writeIfChanged(path string, content []byte) error {
	if old, err := os.ReadFile(path); err == nil && string(old) == string(content) {
		return nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, content, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Invoke runs ev in a warm environment of function's version identified by key,
// starting one (from spec) when none is idle. The invocation runs to its
// own deadline whatever happens to the caller.
func (m *Manager) Invoke(function, key string, spec func() (*Spec, error), ev *runtimeapi.Event, version string) (Outcome, error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return Outcome{}, ErrClosed
	}
	m.busy.Add(1) // under mu, so Shutdown's Wait never races an Add
	m.mu.Unlock()
	defer m.busy.Done()
	// A warm environment whose runtime exited while idle is found out when
	// it does not take the event; the invocation then starts a fresh one.
	for attempt := 0; ; attempt++ {
		p, env := m.acquire(function, key)
		if env == nil {
			s, err := spec()
			if err != nil {
				m.abandon(p)
				return Outcome{}, err
			}
			var failed Outcome
			if env, failed, err = m.start(s, ev, version); env == nil {
				m.abandon(p)
				return failed, err
			}
		}
		out, err := env.Invoke(ev, version)
		m.release(p, env)
		if errors.Is(err, errNotDelivered) && attempt < 2 {
			continue
		}
		return out, err
	}
}

// start starts an environment for s. A failed Init is retried once inside
// the invocation, bounded by the function's timeout, as Lambda's
// "suppressed init" does (reference/runtime.md §1.5, §2.3); if that fails
// too, the outcome is the invocation's error.
func (m *Manager) start(s *Spec, ev *runtimeapi.Event, version string) (*Environment, Outcome, error) {
	var log []byte
	for phase, limit := range []time.Duration{InitTimeout, s.Timeout} {
		if limit <= 0 {
			limit = time.Millisecond
		}
		b, err := m.newBox(s)
		if err != nil {
			return nil, Outcome{}, err
		}
		env, err := startEnvironment(context.Background(), s, b, &m.opts, limit)
		var inf *InitFailure
		switch {
		case err == nil:
			env.prependLog(log)
			return env, Outcome{}, nil
		case !errors.As(err, &inf):
			return nil, Outcome{}, err
		}
		log = append(log, inf.Log...)
		log = append(log, inf.reportLine([]string{"init", "invoke"}[phase])...)
		if phase == 1 {
			return nil, m.initFailed(s, inf, ev, version, log), nil
		}
	}
	panic("unreachable")
}

// initFailed renders a failed Init as the invocation's outcome, as Lambda
// returns an init error as the invoke's error payload.
func (m *Manager) initFailed(s *Spec, f *InitFailure, ev *runtimeapi.Event, version string, initLog []byte) Outcome {
	log := append([]byte(nil), initLog...)
	log = append(log, logs.StartLine(ev.RequestID, version)...)
	log = append(log, logs.EndLine(ev.RequestID)...)
	rep := logs.Report{RequestID: ev.RequestID, Duration: f.Duration, MemoryMB: s.MemoryMB, Status: "error", ErrorType: f.ErrorType}
	if f.TimedOut {
		rep.Status = "timeout"
	}
	log = append(log, rep.Line()...)
	if m.opts.Echo != nil {
		for _, line := range strings.Split(strings.TrimRight(string(initLog), "\n"), "\n") {
			if strings.HasPrefix(line, "INIT_REPORT") {
				m.opts.Echo(s.Function, ev.RequestID, line)
			}
		}
	}
	return Outcome{Body: f.ErrorBody(ev.RequestID), FunctionError: true, ErrorType: f.ErrorType, Log: log}
}

// acquire returns the pool of key (created on first use) and pops its
// most recently used live idle environment, thawed, or nil.
func (m *Manager) acquire(function, key string) (*pool, *Environment) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.pools[key]
	if p == nil {
		p = &pool{key: key, function: function}
		m.pools[key] = p
	}
	p.busy++
	for n := len(p.idle); n > 0; n = len(p.idle) {
		env := p.idle[n-1]
		p.idle = p.idle[:n-1]
		if env.Alive() {
			env.thaw()
			return p, env
		}
	}
	return p, nil
}

// abandon ends an acquire that produced no environment.
func (m *Manager) abandon(p *pool) {
	m.mu.Lock()
	p.busy--
	m.mu.Unlock()
}

// release puts env back into its pool, frozen, or stops it when it died,
// its version was retired or the node is shutting down.
func (m *Manager) release(p *pool, env *Environment) {
	m.mu.Lock()
	p.busy--
	keep := !p.retired && !m.closed && env.Alive()
	if keep {
		if !m.opts.NoFreeze {
			env.freezeWhenParked()
		}
		p.idle = append(p.idle, env)
	}
	m.mu.Unlock()
	if !keep {
		env.Stop()
	}
}

// Retire stops the idle environments of function whose key keep rejects;
// busy ones are stopped when their invocation ends.
func (m *Manager) Retire(function string, keep func(key string) bool) {
	var stop []*Environment
	m.mu.Lock()
	for key, p := range m.pools {
		if p.function == function && !keep(key) {
			p.retired = true
			stop = append(stop, p.idle...)
			delete(m.pools, key)
		}
	}
	m.mu.Unlock()
	// Stopping waits for the processes to exit; the caller (the registry
	// watch) must not wait for that.
	for _, env := range stop {
		go env.Stop()
	}
}

func (m *Manager) reap() {
	every := min(15*time.Second, max(m.opts.IdleTimeout/2, 100*time.Millisecond))
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
		}
		var stop []*Environment
		cutoff := time.Now().Add(-m.opts.IdleTimeout)
		m.mu.Lock()
		for _, p := range m.pools {
			kept := p.idle[:0]
			// Provisioned environments stay, however long idle.
			spare := len(p.idle) + p.busy - p.provisioned
			for _, env := range p.idle {
				env.mu.Lock()
				old := env.lastUsed.Before(cutoff)
				env.mu.Unlock()
				if !env.Alive() || (old && spare > 0) {
					spare--
					stop = append(stop, env)
				} else {
					kept = append(kept, env)
				}
			}
			p.idle = kept
			if len(p.idle) == 0 && p.busy == 0 && p.provisioned == 0 {
				delete(m.pools, p.key)
			}
		}
		m.mu.Unlock()
		for _, env := range stop {
			env.Stop()
		}
	}
}

// Shutdown refuses new invocations, lets in-flight ones finish (until ctx
// ends), then stops every environment.
func (m *Manager) Shutdown(ctx context.Context) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	close(m.stop)
	m.mu.Unlock()
	done := make(chan struct{})
	go func() { m.busy.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	m.mu.Lock()
	var stop []*Environment
	for key, p := range m.pools {
		stop = append(stop, p.idle...)
		delete(m.pools, key)
	}
	m.mu.Unlock()
	for _, env := range stop {
		env.Stop()
	}
}
