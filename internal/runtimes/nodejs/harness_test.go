package nodejs

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/kindling-dev/kindling/internal/runtimes/runtimetest"
)

// node runs the embedded bootstrap under the real /usr/bin/node with the
// heap flags of a 128 MB function; stderr is kept apart from stdout, which
// carries the console log lines.
var node = runtimetest.Runtime{
	Interpreter:    "/usr/bin/node",
	Args:           func(bootstrap string) []string { return append(HeapFlags(128), bootstrap) },
	Bootstrap:      Bootstrap,
	BootstrapName:  BootstrapName,
	Env:            []string{"TZ=UTC"},
	SeparateStderr: true,
}

// ---------------------------------------------------------------------------
// Assertion helpers.

// logLineRE matches one text-format console line (runtime.md 4.6):
// <ISO-8601 UTC ms>\t<requestId>\t<LEVEL>\t<message>.
var logLineRE = regexp.MustCompile(`^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\t(?P<id>[^\t]*)\t(?P<level>TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\t(?P<msg>.*)$`)

func parseLogLine(s string) (runtimetest.LogLine, bool) {
	return runtimetest.ParseLogLine(logLineRE, s)
}

// linesFor returns the text log lines of one request id.
func linesFor(lines []string, id string) []runtimetest.LogLine {
	var out []runtimetest.LogLine
	for _, s := range lines {
		if l, ok := parseLogLine(s); ok && l.RequestID == id {
			out = append(out, l)
		}
	}
	return out
}

// errBody is the Node error body (runtime.md 4.5): exactly errorType,
// errorMessage and trace.
type errBody struct {
	ErrorType    string   `json:"errorType"`
	ErrorMessage string   `json:"errorMessage"`
	Trace        []string `json:"trace"`
}

func decodeErrBody(t *testing.T, b []byte) errBody {
	t.Helper()
	var e errBody
	runtimetest.DecodeErrorBody(t, b, &e, "runtime.md 4.5", "errorType", "errorMessage", "trace")
	if e.Trace == nil {
		t.Fatalf("error body %s: trace must be an array", b)
	}
	return e
}

// loggedRaw finds "<prefix> \t<json>" in the ERROR lines of id and returns
// the JSON text (runtime.md 4.6: "Invoke Error \t{...}", "Uncaught Exception \t{...}").
func loggedRaw(t *testing.T, lines []string, id, prefix string) string {
	t.Helper()
	for _, l := range linesFor(lines, id) {
		if rest, ok := strings.CutPrefix(l.Message, prefix+" \t"); ok && l.Level == "ERROR" {
			return rest
		}
	}
	t.Fatalf("no %q ERROR line for request %s in:\n%s", prefix, id, strings.Join(lines, "\n"))
	return ""
}

// loggedError decodes the logged error object of loggedRaw.
func loggedError(t *testing.T, lines []string, id, prefix string) map[string]any {
	t.Helper()
	rest := loggedRaw(t, lines, id, prefix)
	var m map[string]any
	if err := json.Unmarshal([]byte(rest), &m); err != nil {
		t.Fatalf("logged error %q: %v", rest, err)
	}
	return m
}
