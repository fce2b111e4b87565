package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
)

// The oracle for these tests is the real AWS CLI v2 at /usr/bin/aws: each
// case runs `aws lambda <op> ...` and Main with the same arguments against a
// fake Lambda endpoint that returns canned AWS-shaped responses, and compares
// stdout byte for byte, stderr, exit codes, written files and the requests
// both clients sent.

const awsV2 = "/usr/bin/aws"

func requireAWS(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(awsV2); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s (AWS CLI v2) is required in CI: %v", awsV2, err)
		}
		t.Skipf("%s (AWS CLI v2) not installed", awsV2)
	}
}

// reply is one canned HTTP response.
type reply struct {
	status  int
	headers map[string]string
	body    string
}

// route answers requests whose "METHOD /path" starts with prefix (first
// match wins). With several replies, successive requests get successive
// replies (the last one repeats).
type route struct {
	prefix  string
	replies []reply
}

type recordedRequest struct {
	Method  string
	Path    string
	Query   string
	Headers map[string]string
	Body    any
}

type fakeLambda struct {
	mu       sync.Mutex
	routes   []route
	hits     map[int]int
	requests []recordedRequest
	srv      *httptest.Server
}

// headers that carry operation parameters; everything else (signing, user
// agent, SDK bookkeeping) differs legitimately between the two clients.
var comparedHeaders = []string{"X-Amz-Invocation-Type", "X-Amz-Log-Type", "X-Amz-Client-Context"}

func newFakeLambda(t *testing.T, routes ...route) *fakeLambda {
	f := &fakeLambda{routes: routes, hits: map[int]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLambda) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	// botocore keeps the model's trailing slash on a few URIs
	// ("/2015-03-31/functions/"), the SDK drops it; servers must accept both.
	path := strings.TrimSuffix(r.URL.EscapedPath(), "/")
	rec := recordedRequest{Method: r.Method, Path: path, Query: canonicalQuery(r.URL.RawQuery), Headers: map[string]string{}}
	for _, h := range comparedHeaders {
		if v := r.Header.Get(h); v != "" {
			rec.Headers[h] = v
		}
	}
	// Who signed, for which region and service (the date differs).
	if auth := r.Header.Get("Authorization"); auth == "" {
		rec.Headers["Credential"] = "<unsigned>"
	} else if _, cred, ok := strings.Cut(auth, "Credential="); ok {
		cred, _, _ = strings.Cut(cred, ",")
		if parts := strings.Split(cred, "/"); len(parts) == 5 {
			rec.Headers["Credential"] = parts[0] + "/" + parts[2] + "/" + parts[3]
		}
	}
	if len(body) > 0 {
		var v any
		if json.Unmarshal(body, &v) == nil && r.Header.Get("Content-Type") == "application/json" {
			rec.Body = dropFalse(v)
		} else {
			rec.Body = "raw:" + string(body)
		}
	}
	f.mu.Lock()
	f.requests = append(f.requests, rec)
	key := r.Method + " " + r.URL.Path
	var rep *reply
	for i, rt := range f.routes {
		if strings.HasPrefix(key, rt.prefix) {
			n := f.hits[i]
			f.hits[i]++
			if n >= len(rt.replies) {
				n = len(rt.replies) - 1
			}
			rep = &rt.replies[n]
			break
		}
	}
	f.mu.Unlock()
	if rep == nil {
		rep = &reply{status: 404, headers: map[string]string{"x-amzn-ErrorType": "UnknownOperationException"}, body: `{"message":"no canned reply for ` + key + `"}`}
	}
	for k, v := range rep.headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("x-amzn-RequestId", "5b1fb0c8-8b4c-4f6c-9b1a-2f6d2c4a1e01")
	if rep.body != "" && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	status := rep.status
	if status == 0 {
		status = 200
	}
	w.WriteHeader(status)
	io.WriteString(w, rep.body)
}

// dropFalse removes members whose value is false: the SDK leaves out
// non-pointer booleans that are false ("--no-publish"), botocore sends them;
// false is the default for every such Lambda member.
func dropFalse(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if b, ok := e.(bool); ok && !b {
				delete(x, k)
				continue
			}
			x[k] = dropFalse(e)
		}
	case []any:
		for i, e := range x {
			x[i] = dropFalse(e)
		}
	}
	return v
}

func canonicalQuery(q string) string {
	parts := strings.Split(q, "&")
	sort.Strings(parts)
	return strings.Join(parts, "&")
}

func (f *fakeLambda) take() []recordedRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.requests
	f.requests = nil
	f.hits = map[int]int{}
	return out
}

// cliRun is what one client did.
type cliRun struct {
	stdout, stderr string
	code           int
	requests       []recordedRequest
	files          map[string]string
}

type cliCase struct {
	name string
	args []string // after `lambda`; "{dir}" is replaced by the case's temp dir
	// kindlingArgs, when set, replaces args for kindling (kindling-only flags).
	kindlingArgs []string
	routes       []route
	files        map[string]string // created in the temp dir before each run
	env          map[string]string
	// outputs lists files (relative to the temp dir) whose content is compared.
	outputs []string
	// stderrPrefixOnly compares only the first line of stderr (argparse usage
	// texts name the program differently).
	stderrLastLine bool
	// skipStderr skips comparing stderr.
	skipStderr bool
	// noEndpoint leaves out --endpoint-url (args carry their own).
	noEndpoint bool
}

func baseEnv(home string) map[string]string {
	return map[string]string{
		"AWS_ACCESS_KEY_ID":     "AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		"AWS_DEFAULT_REGION":    "us-east-1",
		"AWS_PAGER":             "",
		"HOME":                  home,
		"KINDLING_DATA_DIR":     filepath.Join(home, "nodata"),
		"TZ":                    "UTC",
		"LANG":                  "C.UTF-8",
	}
}

func (c *cliCase) prepareDir(t *testing.T, dir string) string {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
	for name, content := range c.files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, ".sh") || strings.HasSuffix(name, "bootstrap") {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func expandArgs(args []string, dir string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = strings.ReplaceAll(a, "{dir}", dir)
	}
	return out
}

func (c *cliCase) collectFiles(dir string) map[string]string {
	out := map[string]string{}
	for _, name := range c.outputs {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			out[name] = "<missing>"
		} else {
			out[name] = string(b)
		}
	}
	return out
}

func runAWS(t *testing.T, c *cliCase, f *fakeLambda, dir string) cliRun {
	c.prepareDir(t, dir)
	env := baseEnv(t.TempDir())
	for k, v := range c.env {
		if v == "<unset>" {
			delete(env, k)
			continue
		}
		env[k] = strings.ReplaceAll(v, "{dir}", dir)
	}
	args := append([]string{"--endpoint-url", f.srv.URL, "lambda"}, expandArgs(c.args, dir)...)
	if c.noEndpoint {
		args = append([]string{"lambda"}, expandArgs(c.args, dir)...)
	}
	env["PATH"] = "/usr/bin:/bin"
	stdout, stderr, code := runAWSProcess(t, args, dir, env)
	return cliRun{stdout: stdout, stderr: stderr, code: code, requests: f.take(), files: c.collectFiles(dir)}
}

func runKindling(t *testing.T, c *cliCase, f *fakeLambda, dir string) cliRun {
	c.prepareDir(t, dir)
	env := baseEnv(t.TempDir())
	for k, v := range c.env {
		if v == "<unset>" {
			delete(env, k)
			continue
		}
		env[k] = strings.ReplaceAll(v, "{dir}", dir)
	}
	cargs := c.args
	if c.kindlingArgs != nil {
		cargs = c.kindlingArgs
	}
	endpoint := []string{"--endpoint-url", f.srv.URL}
	if c.noEndpoint {
		endpoint = nil
	}
	args := append(endpoint, expandArgs(cargs, dir)...)
	var stdout, stderr bytes.Buffer
	r := &runner{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, env: func(k string) string { return env[k] }, dir: dir}
	code := r.exitCode(r.run(context.Background(), args))
	return cliRun{stdout: stdout.String(), stderr: stderr.String(), code: code, requests: f.take(), files: c.collectFiles(dir)}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Replace(lines[len(lines)-1], "aws: error:", progName+": error:", 1)
}

// compareWithAWS runs the case with both clients and reports differences.
func compareWithAWS(t *testing.T, c cliCase) (aws, kin cliRun) {
	t.Helper()
	requireAWS(t)
	f := newFakeLambda(t, c.routes...)
	dir := t.TempDir()
	aws = runAWS(t, &c, f, dir)
	kin = runKindling(t, &c, f, dir)
	if aws.stdout != kin.stdout {
		t.Errorf("stdout differs\n--- aws ---\n%s\n--- kindling ---\n%s", aws.stdout, kin.stdout)
	}
	if aws.code != kin.code {
		t.Errorf("exit code: aws %d, kindling %d\naws stderr: %s\nkindling stderr: %s", aws.code, kin.code, aws.stderr, kin.stderr)
	}
	switch {
	case c.skipStderr:
	case c.stderrLastLine:
		if lastLine(aws.stderr) != lastLine(kin.stderr) {
			t.Errorf("stderr (last line) differs\n--- aws ---\n%s\n--- kindling ---\n%s", aws.stderr, kin.stderr)
		}
	default:
		if aws.stderr != kin.stderr {
			t.Errorf("stderr differs\n--- aws ---\n%q\n--- kindling ---\n%q", aws.stderr, kin.stderr)
		}
	}
	if !reflect.DeepEqual(aws.requests, kin.requests) {
		t.Errorf("requests differ\n--- aws ---\n%s\n--- kindling ---\n%s", dumpRequests(aws.requests), dumpRequests(kin.requests))
	}
	if !reflect.DeepEqual(aws.files, kin.files) {
		t.Errorf("written files differ\n--- aws ---\n%q\n--- kindling ---\n%q", aws.files, kin.files)
	}
	return aws, kin
}

func dumpRequests(rs []recordedRequest) string {
	var b strings.Builder
	for _, r := range rs {
		body, _ := json.Marshal(r.Body)
		fmt.Fprintf(&b, "%s %s ?%s %v %s\n", r.Method, r.Path, r.Query, r.Headers, body)
	}
	return b.String()
}
