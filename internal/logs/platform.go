// Package logs formats the platform log lines Lambda writes around each
// invocation (reference/runtime.md §2.6) and keeps the tail that Invoke
// returns with LogType=Tail.
package logs

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// TailBytes is how much of the log X-Amz-Log-Result carries (4 KB).
const TailBytes = 4096

// StartLine is `START RequestId: <id> Version: <v>`.
func StartLine(requestID, version string) string {
	return "START RequestId: " + requestID + " Version: " + version + "\n"
}

// EndLine is `END RequestId: <id>`.
func EndLine(requestID string) string { return "END RequestId: " + requestID + "\n" }

// Report holds the figures of a REPORT line.
type Report struct {
	RequestID    string
	Duration     time.Duration
	MemoryMB     int
	MaxMemoryMB  int
	InitDuration time.Duration // zero unless this was a cold start
	Status       string        // "", "timeout" or "error"
	ErrorType    string
}

// Line renders the REPORT line with Lambda's tab separators.
func (r Report) Line() string {
	var b strings.Builder
	ms := float64(r.Duration) / float64(time.Millisecond)
	billed := int64(math.Ceil(ms))
	if billed < 1 {
		billed = 1
	}
	fmt.Fprintf(&b, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t",
		r.RequestID, ms, billed, r.MemoryMB, r.MaxMemoryMB)
	if r.InitDuration > 0 {
		fmt.Fprintf(&b, "Init Duration: %.2f ms\t", float64(r.InitDuration)/float64(time.Millisecond))
	}
	switch r.Status {
	case "timeout":
		b.WriteString("Status: timeout\t")
	case "error":
		fmt.Fprintf(&b, "Status: error\tError Type: %s\t", r.ErrorType)
	}
	b.WriteString("\n")
	return b.String()
}

// Tail returns the last TailBytes of log.
func Tail(log []byte) []byte {
	if len(log) <= TailBytes {
		return log
	}
	return log[len(log)-TailBytes:]
}
