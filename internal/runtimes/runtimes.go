// Package runtimes is the table of Lambda runtimes Kindling can run on this
// node: which interpreter serves each runtime identifier, and whether it is
// present.
package runtimes

import (
	"fmt"
	"os"
	"sort"
	"strings"
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
	// Note says how the runtime is served, e.g. which interpreter stands in
	// for a newer language version.
	Note string
}

// Paths names the interpreters to use.
type Paths struct {
	Node   string
	Python string
}

// Table is the set of runtimes known to this node.
type Table struct {
	byID map[string]Runtime
}

var nodeIDs = []string{"nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x"}
var pythonIDs = []string{"python3.9", "python3.10", "python3.11", "python3.12", "python3.13"}
var providedIDs = []string{"provided", "provided.al2", "provided.al2023"}

// NewTable probes the interpreters and builds the table.
func NewTable(p Paths) *Table {
	t := &Table{byID: map[string]Runtime{}}
	nodeOK := executable(p.Node)
	for _, id := range nodeIDs {
		t.byID[id] = Runtime{ID: id, Kind: Node, Interpreter: p.Node, Available: nodeOK,
			Note: fmt.Sprintf("%s runs on %s", id, p.Node)}
	}
	for _, id := range pythonIDs {
		t.byID[id] = Runtime{ID: id, Kind: Python, Interpreter: p.Python, Available: false,
			Note: "Python runtimes are not served by this Kindling version yet"}
	}
	for _, id := range providedIDs {
		t.byID[id] = Runtime{ID: id, Kind: Provided, Available: true,
			Note: "runs the package's bootstrap executable"}
	}
	return t
}

// Lookup returns the runtime with the given identifier.
func (t *Table) Lookup(id string) (Runtime, bool) {
	r, ok := t.byID[id]
	return r, ok
}

// Available lists the identifiers this node can run, sorted.
func (t *Table) Available() []string {
	var ids []string
	for id, r := range t.byID {
		if r.Available {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// AvailableList renders Available for messages.
func (t *Table) AvailableList() string { return strings.Join(t.Available(), ", ") }

func executable(path string) bool {
	if path == "" {
		return false
	}
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}
