package runtimes

import (
	"strings"
	"testing"
)

func TestTableOnThisMachine(t *testing.T) {
	tab := NewTable(Paths{Node: "/usr/bin/node", Python: "/usr/bin/python3"})
	py, _ := tab.Lookup("python3.13")
	node, _ := tab.Lookup("nodejs20.x")
	if !py.Available || !node.Available {
		t.Skipf("interpreters missing here: %s / %s", py.Note, node.Note)
	}
	// A runtime served by another language version says so.
	if !strings.Contains(py.Note, "not 3.13.") {
		t.Fatalf("python3.13 note %q", py.Note)
	}
	if b, _ := tab.Lookup("provided.al2023"); !b.Available || b.Kind != Provided {
		t.Fatalf("provided.al2023 %+v", b)
	}
}

func TestMissingInterpreter(t *testing.T) {
	tab := NewTable(Paths{Node: "/nonexistent/node", Python: ""})
	n, _ := tab.Lookup("nodejs22.x")
	if n.Available || !strings.Contains(n.Note, "not available") {
		t.Fatalf("%+v", n)
	}
	if got := tab.AvailableList(); got != "provided, provided.al2, provided.al2023" {
		t.Fatalf("available %q", got)
	}
}

func TestPerRuntimeOverride(t *testing.T) {
	tab := NewTable(Paths{Node: "/usr/bin/node", Python: "/usr/bin/python3", ByRuntime: map[string]string{"nodejs22.x": "/nonexistent/node22"}})
	if r, _ := tab.Lookup("nodejs22.x"); r.Available || r.Interpreter != "/nonexistent/node22" {
		t.Fatalf("override not applied: %+v", r)
	}
	if r, _ := tab.Lookup("nodejs20.x"); r.Interpreter != "/usr/bin/node" {
		t.Fatalf("other runtimes changed: %+v", r)
	}
}
