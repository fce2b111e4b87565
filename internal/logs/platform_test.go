package logs

import (
	"strings"
	"testing"
	"time"
)

// Formats from reference/runtime.md §2.6 (tabs, two decimals, billed ms
// rounded up, Init Duration only on cold starts).
func TestReportLine(t *testing.T) {
	r := Report{RequestID: "id-1", Duration: 128830 * time.Microsecond, MemoryMB: 128, MaxMemoryMB: 74, InitDuration: 166620 * time.Microsecond}
	want := "REPORT RequestId: id-1\tDuration: 128.83 ms\tBilled Duration: 129 ms\tMemory Size: 128 MB\tMax Memory Used: 74 MB\tInit Duration: 166.62 ms\t\n"
	if got := r.Line(); got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	r = Report{RequestID: "id-2", Duration: 3 * time.Second, MemoryMB: 128, MaxMemoryMB: 40, Status: "timeout"}
	if got := r.Line(); !strings.HasSuffix(got, "\tMax Memory Used: 40 MB\tStatus: timeout\t\n") || strings.Contains(got, "Init Duration") {
		t.Fatalf("timeout line %q", got)
	}
	r = Report{RequestID: "id-3", Duration: time.Millisecond, MemoryMB: 128, Status: "error", ErrorType: "Runtime.ExitError"}
	if got := r.Line(); !strings.HasSuffix(got, "\tStatus: error\tError Type: Runtime.ExitError\t\n") {
		t.Fatalf("error line %q", got)
	}
	if got := StartLine("id", "$LATEST"); got != "START RequestId: id Version: $LATEST\n" {
		t.Fatalf("start %q", got)
	}
	if got := EndLine("id"); got != "END RequestId: id\n" {
		t.Fatalf("end %q", got)
	}
}

func TestTail(t *testing.T) {
	log := []byte(strings.Repeat("x", 5000) + "END")
	if got := Tail(log); len(got) != TailBytes || !strings.HasSuffix(string(got), "END") {
		t.Fatalf("tail len %d", len(got))
	}
}
