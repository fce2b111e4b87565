package python

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/kindling-dev/kindling/internal/runtimes/runtimetest"
)

const pythonBin = "/usr/bin/python3"

// python3 runs the embedded bootstrap under the real /usr/bin/python3 the way
// the server does: Args(), and one pipe for both stdout and stderr.
var python3 = runtimetest.Runtime{
	Interpreter:   pythonBin,
	Args:          Args,
	Bootstrap:     Bootstrap,
	BootstrapName: BootstrapName,
	Env:           []string{"TZ=:UTC", "LANG=en_US.UTF-8", "AWS_EXECUTION_ENV=AWS_Lambda_python3.12"},
}

// ---------------------------------------------------------------------------
// Assertion helpers.

// logLineRE matches one text-format log record (runtime.md 5.4):
// [LEVEL]\t<UTC time>.mmmZ\t<request id>\t<message>.
var logLineRE = regexp.MustCompile(`^\[(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL)\]\t(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\t(?P<id>[^\t]*)\t(?P<msg>.*)$`)

func parseLogLine(s string) (runtimetest.LogLine, bool) {
	return runtimetest.ParseLogLine(logLineRE, s)
}

// errBody is the Python error body (runtime.md 5.2).
type errBody struct {
	ErrorMessage string   `json:"errorMessage"`
	ErrorType    string   `json:"errorType"`
	RequestID    string   `json:"requestId"`
	StackTrace   []string `json:"stackTrace"`
}

// encodeErrBody renders the body the way the runtime must: the four keys in
// PRIC's order, json.dumps default separators (runtime.md 5.2), non-ASCII
// kept as is (AWS_EXECUTION_ENV=AWS_Lambda_python3.12).
func encodeErrBody(e errBody) string {
	q := func(s string) string {
		b, _ := json.Marshal(s)
		return pyEscape(string(b))
	}
	var tr []string
	for _, s := range e.StackTrace {
		tr = append(tr, q(s))
	}
	return `{"errorMessage": ` + q(e.ErrorMessage) + `, "errorType": ` + q(e.ErrorType) +
		`, "requestId": ` + q(e.RequestID) + `, "stackTrace": [` + strings.Join(tr, ", ") + `]}`
}

// pyEscape turns Go's JSON string escapes into Python's: Go escapes <, >, &
// and U+2028/9 and writes control characters as \u00XX, Python does not
// escape the former and writes \n, \r, \t for the latter.
func pyEscape(s string) string {
	r := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&", `\u2028`, "\u2028", `\u2029`, "\u2029")
	return r.Replace(s)
}

func decodeErrBody(t *testing.T, b []byte) errBody {
	t.Helper()
	var e errBody
	runtimetest.DecodeErrorBody(t, b, &e, "runtime.md 5.2", "errorMessage", "errorType", "requestId", "stackTrace")
	if e.StackTrace == nil {
		t.Fatalf("error body %s: stackTrace must be an array", b)
	}
	return e
}

// errorLogLine is the text the runtime logs for an unhandled error
// (runtime.md 5.4): "[ERROR] <Type>: <message>" and, when there is a
// stackTrace (even empty), "Traceback (most recent call last):" and the
// trace lines, joined by "\r", leading spaces turned into U+00A0.
func errorLogLine(e errBody) string {
	head := "[ERROR]"
	if e.ErrorType != "" {
		head += " " + e.ErrorType
	}
	if e.ErrorMessage != "" {
		if e.ErrorType != "" {
			head += ":"
		}
		head += " " + e.ErrorMessage
	}
	parts := []string{head, "Traceback (most recent call last):"}
	for _, el := range e.StackTrace {
		for _, l := range strings.Split(strings.TrimSuffix(el, "\n"), "\n") {
			n := len(l) - len(strings.TrimLeft(l, " "))
			parts = append(parts, strings.Repeat("\u00a0", n)+l[n:])
		}
	}
	return strings.Join(parts, "\r")
}

// frame renders one traceback.format_list entry (runtime.md 5.2).
func frame(file string, line int, fn, code string) string {
	return fmt.Sprintf("  File \"%s\", line %d, in %s\n    %s\n", file, line, fn, code)
}

// lineOf returns the 1-based line number where text first starts in file.
func lineOf(t *testing.T, file, text string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if i := strings.Index(string(b), text); i >= 0 {
		return strings.Count(string(b[:i]), "\n") + 1
	}
	t.Fatalf("%q not in %s", text, file)
	return 0
}

func contains(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}
