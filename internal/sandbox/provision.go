package sandbox

import (
	"context"
	"errors"
	"sync"
	"time"
)

// provisionInit bounds the Init of a provisioned environment (reference/
// runtime.md §2.3: 130 s or the function timeout, whichever is higher).
const provisionInit = 130 * time.Second

// Target is the provisioned concurrency wanted for one version key.
type Target struct {
	Function string
	Key      string
	Count    int
	// Spec describes the environments to start; they are marked
	// AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency.
	Spec func() (*Spec, error)
}

// ProvisionStatus is how far this node is with one target.
type ProvisionStatus struct {
	Allocated int
	// Failed is the reason the last start failed ("" when none did).
	Failed string
}

// provisioner keeps the targets' environments started.
type provisioner struct {
	mu      sync.Mutex
	targets map[string]Target
	failed  map[string]string
	kick    chan struct{}
}

// SetProvisioned replaces the provisioned-concurrency targets of this node.
// Environments of a key no longer provisioned become ordinary warm ones
// (reaped when idle).
func (m *Manager) SetProvisioned(targets []Target) {
	m.prov.mu.Lock()
	m.prov.targets = map[string]Target{}
	for _, t := range targets {
		if t.Count > 0 {
			m.prov.targets[t.Key] = t
		}
	}
	m.prov.mu.Unlock()
	m.mu.Lock()
	for key, p := range m.pools {
		p.provisioned = m.prov.targets[key].Count
	}
	m.mu.Unlock()
	select {
	case m.prov.kick <- struct{}{}:
	default:
	}
}

// Provisioned reports the status of key on this node.
func (m *Manager) Provisioned(key string) ProvisionStatus {
	m.prov.mu.Lock()
	failed := m.prov.failed[key]
	want := m.prov.targets[key].Count
	m.prov.mu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	have := 0
	if p := m.pools[key]; p != nil {
		have = len(p.idle) + p.busy
	}
	return ProvisionStatus{Allocated: min(have, want), Failed: failed}
}

// provision runs until the manager stops, starting what the targets lack.
func (m *Manager) provision() {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-m.prov.kick:
		case <-t.C:
		}
		m.prov.mu.Lock()
		targets := make([]Target, 0, len(m.prov.targets))
		for _, t := range m.prov.targets {
			targets = append(targets, t)
		}
		m.prov.mu.Unlock()
		for _, t := range targets {
			m.fill(t)
		}
	}
}

// fill starts environments for t until its pool holds t.Count.
func (m *Manager) fill(t Target) {
	for {
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			return
		}
		p := m.pools[t.Key]
		if p == nil {
			p = &pool{key: t.Key, function: t.Function}
			m.pools[t.Key] = p
		}
		p.provisioned = t.Count
		if len(p.idle)+p.busy >= t.Count {
			m.mu.Unlock()
			return
		}
		p.busy++ // the environment being started
		m.mu.Unlock()

		err := m.startProvisioned(p, t)
		m.prov.mu.Lock()
		if err != nil {
			m.prov.failed[t.Key] = reason(err)
		} else {
			delete(m.prov.failed, t.Key)
		}
		m.prov.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func (m *Manager) startProvisioned(p *pool, t Target) error {
	s, err := t.Spec()
	if err != nil {
		m.abandon(p)
		return err
	}
	ps := *s
	ps.InitType = "provisioned-concurrency"
	b, err := m.newBox(&ps)
	if err != nil {
		m.abandon(p)
		return err
	}
	env, err := startEnvironment(context.Background(), &ps, b, &m.opts, max(provisionInit, ps.Timeout))
	if err != nil {
		m.abandon(p)
		return err
	}
	m.release(p, env)
	return nil
}

func reason(err error) string {
	var inf *InitFailure
	if errors.As(err, &inf) {
		return "FUNCTION_ERROR_INIT_FAILURE"
	}
	return "INTERNAL_ERROR"
}
