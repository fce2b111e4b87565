package sandbox

import (
	"bufio"
	"errors"
	"os"
	"strconv"
	"strings"
	"time"
)

// ErrCapacity means the node's memory budget is taken by busy
// environments and none freed up in time; Invoke answers 429.
var ErrCapacity = errors.New("sandbox: node memory budget exhausted")

// capacityWait is how long a new environment queues for memory before
// the invocation is refused.
const capacityWait = 2 * time.Second

// DefaultBudgetMB is the node's memory budget for environments when none
// is configured: three quarters of the host's memory.
func DefaultBudgetMB() int {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 4096
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err == nil {
				return kb / 1024 * 3 / 4
			}
		}
	}
	return 4096
}

// reserveMemory commits mb of the budget to a new environment: it evicts
// idle environments (least recently used first) when the budget is full,
// then waits briefly for busy ones to finish.
func (m *Manager) reserveMemory(mb int) error {
	deadline := time.Now().Add(capacityWait)
	for {
		m.mu.Lock()
		if m.committed+mb <= m.budget || m.committed == 0 {
			m.committed += mb
			m.mu.Unlock()
			return nil
		}
		victim := m.takeOldestIdleLocked()
		freed := m.freed
		m.mu.Unlock()
		if victim != nil {
			victim.Stop() // returns once its memory is given back
			continue
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return ErrCapacity
		}
		select {
		case <-freed:
		case <-time.After(wait):
		}
	}
}

// unreserveMemory gives mb back and wakes waiting starts.
func (m *Manager) unreserveMemory(mb int) {
	m.mu.Lock()
	m.committed -= mb
	close(m.freed)
	m.freed = make(chan struct{})
	m.mu.Unlock()
}

// takeOldestIdleLocked removes and returns the least recently used idle
// environment of any pool, or nil.
func (m *Manager) takeOldestIdleLocked() *Environment {
	var (
		oldest *Environment
		from   *pool
		idx    int
		when   time.Time
	)
	for _, p := range m.pools {
		for i, env := range p.idle {
			env.mu.Lock()
			used := env.lastUsed
			env.mu.Unlock()
			if oldest == nil || used.Before(when) {
				oldest, from, idx, when = env, p, i, used
			}
		}
	}
	if oldest != nil {
		from.idle = append(from.idle[:idx], from.idle[idx+1:]...)
	}
	return oldest
}
