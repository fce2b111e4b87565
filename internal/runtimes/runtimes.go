// Package runtimes is the table of Lambda runtimes Kindling can run on this
// node: which interpreter serves each runtime identifier, which language
// version that interpreter really is, and whether it is present.
package runtimes

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"
)

// Kind is the family of a runtime.
type Kind int

// Runtime families.
const (
	Node Kind = iota + 1
	Python
	Provided
)

// Runtime is one Lambda runtime identifier as served on this node.
type Runtime struct {
	ID   string
	Kind Kind
	// Interpreter is the absolute path of the language runtime (empty for
	// provided runtimes, which run the package's own bootstrap).
	Interpreter string
	// Available is false when this node cannot run the runtime.
	Available bool
	// Note says how the runtime is served, e.g. which interpreter version
	// stands in for the requested one.
	Note string
}

// Paths names the interpreters to use.
type Paths struct {
	Node   string
	Python string
	// ByRuntime overrides the interpreter of single runtimes, e.g.
	// "nodejs22.x" -> "/opt/node22/bin/node".
	ByRuntime map[string]string
}

// Table is the set of runtimes known to this node.
type Table struct {
	byID map[string]Runtime
}

var (
	nodeIDs     = []string{"nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x"}
	pythonIDs   = []string{"python3.9", "python3.10", "python3.11", "python3.12", "python3.13"}
	providedIDs = []string{"provided", "provided.al2", "provided.al2023"}
)

// NewTable probes the interpreters (their version, once, at start) and
// builds the table.
func NewTable(p Paths) *Table {
	t := &Table{byID: map[string]Runtime{}}
	type probed struct {
		version string
		err     error
	}
	seen := map[string]probed{} // each interpreter is asked once
	probeOnce := func(path, arg string) (string, error) {
		if r, ok := seen[path]; ok {
			return r.version, r.err
		}
		v, err := probe(path, arg)
		seen[path] = probed{v, err}
		return v, err
	}
	add := func(ids []string, kind Kind, defaultPath, lang, versionArg string, want func(id string) string) {
		for _, id := range ids {
			path := defaultPath
			if p, ok := p.ByRuntime[id]; ok {
				path = p
			}
			version, err := probeOnce(path, versionArg)
			r := Runtime{ID: id, Kind: kind, Interpreter: path, Available: err == nil}
			switch {
			case err != nil:
				r.Note = fmt.Sprintf("%s is not available on this node: %v", id, err)
			case strings.HasPrefix(version, want(id)):
				r.Note = fmt.Sprintf("%s runs on %s %s (%s)", id, lang, version, path)
			default:
				r.Note = fmt.Sprintf("%s runs on %s %s (%s), not %s: this node has no %s %s interpreter",
					id, lang, version, path, want(id), lang, want(id))
			}
			t.byID[id] = r
		}
	}
	add(nodeIDs, Node, p.Node, "Node.js", "--version", func(id string) string {
		return "v" + strings.TrimSuffix(strings.TrimPrefix(id, "nodejs"), ".x") + "."
	})
	add(pythonIDs, Python, p.Python, "Python", "--version", func(id string) string {
		return strings.TrimPrefix(id, "python") + "."
	})
	for _, id := range providedIDs {
		t.byID[id] = Runtime{ID: id, Kind: Provided, Available: true, Note: id + " runs the package's bootstrap executable"}
	}
	return t
}

// probe runs `path arg` and returns the version it prints ("v20.20.2",
// "3.11.2").
func probe(path, arg string) (string, error) {
	if path == "" {
		return "", fmt.Errorf("no interpreter configured")
	}
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() || st.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%s is missing or not executable", path)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, arg)
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", path, arg, err)
	}
	v := strings.TrimSpace(string(out))
	v = strings.TrimPrefix(v, "Python ")
	return v, nil
}

// Lookup returns the runtime with the given identifier.
func (t *Table) Lookup(id string) (Runtime, bool) {
	r, ok := t.byID[id]
	return r, ok
}

// All lists every runtime, sorted by identifier.
func (t *Table) All() []Runtime {
	out := make([]Runtime, 0, len(t.byID))
	for _, r := range t.byID {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Available lists the identifiers this node can run, sorted.
func (t *Table) Available() []string {
	var ids []string
	for _, r := range t.All() {
		if r.Available {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// AvailableList renders Available for messages.
func (t *Table) AvailableList() string { return strings.Join(t.Available(), ", ") }
