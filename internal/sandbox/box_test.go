package sandbox

import "testing"

// Two servers on one host never hand out the same id: the lock file of an
// id is held while it is in use and released by put.
func TestUIDPoolsShareHostLocks(t *testing.T) {
	dir := t.TempDir()
	a, err := newUIDPool(dir, 5000, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := newUIDPool(dir, 5000, 3)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range []*uidPool{a, b, a} {
		uid, err := p.take()
		if err != nil {
			t.Fatal(err)
		}
		if seen[uid] {
			t.Fatalf("uid %d handed out twice", uid)
		}
		seen[uid] = true
	}
	if _, err := b.take(); err == nil {
		t.Fatal("a fourth id from a pool of three")
	}
	a.put(5000)
	if uid, err := b.take(); err != nil || uid != 5000 {
		t.Fatalf("released id not reusable: %d %v", uid, err)
	}
}

// reference/runtime.md §2.5, §2.6: INIT_REPORT formats.
func TestInitReportLine(t *testing.T) {
	f := &InitFailure{ErrorType: "Runtime.ExitError", Duration: 206720000}
	if got := f.reportLine("init"); got != "INIT_REPORT Init Duration: 206.72 ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError\n" {
		t.Fatalf("%q", got)
	}
	f = &InitFailure{TimedOut: true, Duration: 9999950000}
	if got := f.reportLine("invoke"); got != "INIT_REPORT Init Duration: 9999.95 ms\tPhase: invoke\tStatus: timeout\n" {
		t.Fatalf("%q", got)
	}
}
