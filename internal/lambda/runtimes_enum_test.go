package lambda

import "testing"

func TestRuntimeTables(t *testing.T) {
	// lambda-api.md §8.1 Runtime row: "enum of 46 values incl. deprecated ones"
	if len(RuntimeEnum) != 46 {
		t.Errorf("RuntimeEnum has %d values, want 46", len(RuntimeEnum))
	}
	seen := map[string]bool{}
	for _, r := range RuntimeEnum {
		if seen[r] {
			t.Errorf("duplicate %s", r)
		}
		seen[r] = true
	}
	supported := map[string]bool{}
	for _, r := range SupportedRuntimes() {
		if !IsKnownRuntime(r) {
			t.Errorf("message list holds %s, not in the model enum", r)
		}
		if IsRuntimeBlocked(r) {
			t.Errorf("%s is both blocked and listed as supported", r)
		}
		supported[r] = true
	}
	// Every model runtime is either creatable (listed) or blocked.
	for _, r := range RuntimeEnum {
		if !supported[r] && !IsRuntimeBlocked(r) {
			t.Errorf("%s is neither supported nor blocked", r)
		}
	}
	for _, d := range DeprecatedRuntimes {
		if !IsKnownRuntime(d.ID) {
			t.Errorf("deprecated %s not in the enum", d.ID)
		}
	}
	// lambda-api.md §7.2: the list AWS prints starts "[nodejs20.x, python3.14, ...]"
	if l := SupportedRuntimes(); l[0] != "nodejs20.x" || l[1] != "python3.14" {
		t.Errorf("list starts %v", l[:2])
	}
	// lambda-api.md §7.2: case-sensitive ("PYTHON3.9" is refused)
	if IsKnownRuntime("PYTHON3.9") || !IsKnownRuntime("python3.9") {
		t.Error("runtime match must be case-sensitive")
	}
}
