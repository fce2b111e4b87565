package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/kindling-dev/kindling/internal/cli/internal/ojson"
)

// signerServer records "<access key>/<region>" of every signed request.
type signerServer struct {
	mu    sync.Mutex
	seen  []string
	srv   *httptest.Server
	reply string
}

func newSignerServer(t *testing.T, reply string) *signerServer {
	s := &signerServer{reply: reply}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		_, cred, _ := strings.Cut(auth, "Credential=")
		cred, _, _ = strings.Cut(cred, ",")
		parts := strings.Split(cred, "/")
		s.mu.Lock()
		if len(parts) == 5 {
			s.seen = append(s.seen, parts[0]+"/"+parts[2])
		} else {
			s.seen = append(s.seen, "unsigned")
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, s.reply)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func runMain(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
	return out.String(), errb.String(), code
}

func TestCredentialAndRegionResolution(t *testing.T) {
	t.Parallel()
	s := newSignerServer(t, accountSettings)
	write := func(path, content string) {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	home := t.TempDir()
	write(filepath.Join(home, ".aws", "credentials"), "[default]\naws_access_key_id = AKIDHOME\naws_secret_access_key = s\n[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s\n")
	write(filepath.Join(home, ".aws", "config"), "[default]\nregion = ap-south-1\n[profile dev]\nregion = eu-west-1\n")
	emptyHome := t.TempDir()
	dataDir := t.TempDir()
	write(filepath.Join(dataDir, "credentials.json"), `{"AccessKeyId":"AKIDSERVER","SecretAccessKey":"s"}`)
	xdg := t.TempDir()
	write(filepath.Join(xdg, "kindling", "credentials.json"), `{"AccessKeyId":"AKIDXDG","SecretAccessKey":"s"}`)
	write(filepath.Join(emptyHome, ".local", "share", "kindling", "credentials.json"), `{"AccessKeyId":"AKIDLOCAL","SecretAccessKey":"s"}`)

	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"env keys", map[string]string{"HOME": home, "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s", "KINDLING_DATA_DIR": dataDir}, nil, "AKIDENV/us-east-1"},
		{"profile beats env", map[string]string{"HOME": home, "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s"}, []string{"--profile", "dev"}, "AKIDDEV/eu-west-1"},
		{"server key file", map[string]string{"HOME": home, "KINDLING_DATA_DIR": dataDir}, nil, "AKIDSERVER/us-east-1"},
		{"xdg data home", map[string]string{"HOME": home, "XDG_DATA_HOME": xdg}, nil, "AKIDXDG/us-east-1"},
		{"home local share", map[string]string{"HOME": emptyHome}, nil, "AKIDLOCAL/us-east-1"},
		{"~/.aws default profile", map[string]string{"HOME": home, "KINDLING_DATA_DIR": filepath.Join(home, "none")}, nil, "AKIDHOME/ap-south-1"},
		{"region flag", map[string]string{"HOME": home, "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "s", "AWS_DEFAULT_REGION": "eu-north-1"}, []string{"--region", "us-west-2"}, "A/us-west-2"},
		{"AWS_DEFAULT_REGION first", map[string]string{"HOME": home, "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "s", "AWS_DEFAULT_REGION": "eu-north-1", "AWS_REGION": "sa-east-1"}, nil, "A/eu-north-1"},
		{"AWS_REGION", map[string]string{"HOME": home, "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "s", "AWS_REGION": "sa-east-1"}, nil, "A/sa-east-1"},
	}
	for _, c := range cases {
		s.mu.Lock()
		s.seen = nil
		s.mu.Unlock()
		c.env["AWS_ENDPOINT_URL_LAMBDA"] = s.srv.URL
		_, stderr, code := runMain(t, c.env, append(c.args, "get-account-settings")...)
		if code != 0 {
			t.Errorf("%s: exit %d: %s", c.name, code, stderr)
			continue
		}
		s.mu.Lock()
		if len(s.seen) != 1 || s.seen[0] != c.want {
			t.Errorf("%s: signed as %v, want %s", c.name, s.seen, c.want)
		}
		s.mu.Unlock()
	}
	// Nothing anywhere: exit 253 with the AWS CLI's message.
	_, stderr, code := runMain(t, map[string]string{"HOME": t.TempDir(), "AWS_ENDPOINT_URL": s.srv.URL}, "get-account-settings")
	if code != 253 || !strings.Contains(stderr, "Unable to locate credentials") {
		t.Errorf("no credentials: exit %d, %q", code, stderr)
	}
}

func TestEndpointResolution(t *testing.T) {
	t.Parallel()
	cases := []struct {
		env  map[string]string
		flag string
		want string
	}{
		{map[string]string{}, "", "http://127.0.0.1:9070"},
		{map[string]string{"AWS_ENDPOINT_URL": "http://b"}, "", "http://b"},
		{map[string]string{"AWS_ENDPOINT_URL": "http://b", "AWS_ENDPOINT_URL_LAMBDA": "http://a"}, "", "http://a"},
		{map[string]string{"AWS_ENDPOINT_URL": "http://b", "AWS_ENDPOINT_URL_LAMBDA": "http://a"}, "http://flag", "http://flag"},
	}
	for _, c := range cases {
		r := &runner{env: func(k string) string { return c.env[k] }}
		r.g.endpointURL = c.flag
		if got := r.endpoint(); got != c.want {
			t.Errorf("endpoint(%v, %q) = %q, want %q", c.env, c.flag, got, c.want)
		}
	}
}

// The 2.9.19 CLI predates LoggingConfig; a newer AWS CLI prints it right
// after RuntimeVersionConfig (model order), and so do we.
func TestNewerModelMembers(t *testing.T) {
	t.Parallel()
	body := strings.Replace(createFunctionResponse, `"MemorySize": 128,`, `"MemorySize": 128, "LoggingConfig": {"LogGroup": "/aws/lambda/my-fn", "LogFormat": "Text"},`, 1)
	s := newSignerServer(t, body)
	out, stderr, code := runMain(t, map[string]string{"AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "s", "AWS_ENDPOINT_URL": s.srv.URL},
		"get-function-configuration", "--function-name", "my-fn", "--query", "{a: RuntimeVersionConfig.RuntimeVersionArn, b: LoggingConfig}")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "{\n    \"a\": \"arn:aws:lambda:us-east-1::runtime:8eeff65f6809a3ce81507fe733fe09b835899b99481ba22fd75b5a7338290ec1\",\n    \"b\": {\n        \"LogFormat\": \"Text\",\n        \"LogGroup\": \"/aws/lambda/my-fn\"\n    }\n}\n"
	if out != want {
		t.Errorf("got %s", out)
	}
	out, _, _ = runMain(t, map[string]string{"AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "s", "AWS_ENDPOINT_URL": s.srv.URL},
		"get-function-configuration", "--function-name", "my-fn")
	if i, j := strings.Index(out, `"RuntimeVersionConfig"`), strings.Index(out, `"LoggingConfig"`); i < 0 || j < i {
		t.Errorf("LoggingConfig not after RuntimeVersionConfig:\n%s", out)
	}
}

func TestPyFloatRepr(t *testing.T) {
	cases := map[float64]string{1: "1.0", 0.5: "0.5", 1e16: "1e+16", 1e15: "1000000000000000.0", 0.0001: "0.0001",
		0.00001: "1e-05", -2.5: "-2.5", 123456789.125: "123456789.125", 1.5e-7: "1.5e-07", 0.30000000000000004: "0.30000000000000004"}
	for f, want := range cases {
		if got := pyFloatRepr(f); got != want {
			t.Errorf("pyFloatRepr(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestPyB64Decode(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"eyJhIjoxfQ==", `{"a":1}`, true},
		{"eyJhIjoxfQ", "", false},
		{"eyJh IjoxfQ==\n", `{"a":1}`, true},
		{"YQ==trailing", "a", true},
		{"abc", "", false},
		{"a", "", false},
		{"", "", true},
		{`{"a":1}`, "", false},
	}
	for _, c := range cases {
		got, err := pyB64Decode(c.in)
		if (err == nil) != c.ok || (c.ok && string(got) != c.want) {
			t.Errorf("pyB64Decode(%q) = %q, %v", c.in, got, err)
		}
	}
}

func TestShorthand(t *testing.T) {
	cases := map[string]string{
		"Variables={A=1,B=2}":               "{'Variables': {'A': '1', 'B': '2'}}",
		"a=b,c":                             "{'a': ['b', 'c']}",
		"a=b,c=d":                           "{'a': 'b', 'c': 'd'}",
		"a=[x,y],b={c=[1,2]}":               "{'a': ['x', 'y'], 'b': {'c': ['1', '2']}}",
		`a='x,y',b="q\"z"`:                  `{'a': 'x,y', 'b': 'q"z'}`,
		`a=x\,y`:                            "{'a': 'x,y'}",
		"a= spaced value ,b=2":              "{'a': 'spaced value', 'b': '2'}",
		"SubnetIds=a,b,SecurityGroupIds=sg": "{'SubnetIds': ['a', 'b'], 'SecurityGroupIds': 'sg'}",
	}
	for in, want := range cases {
		v, err := parseShorthand(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got := v.pyRepr(); got != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"a", "a=b,", "a={b=1", "a=1,a=2"} {
		if _, err := parseShorthand(bad); err == nil {
			t.Errorf("%q: expected an error", bad)
		}
	}
}

func TestZipDirDeterministic(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "b"), 0o755)
	os.WriteFile(filepath.Join(dir, "b", "z.txt"), []byte("z"), 0o644)
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a"), 0o600)
	os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("#!/bin/sh\n"), 0o700)
	one, err := zipDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Touch everything: the bytes must not change.
	for _, p := range []string{"a.txt", "bootstrap", "b/z.txt"} {
		os.Chtimes(filepath.Join(dir, p), zipEpoch.AddDate(30, 0, 0), zipEpoch.AddDate(30, 0, 0))
	}
	two, _ := zipDir(dir)
	if !bytes.Equal(one, two) {
		t.Fatal("zipDir is not deterministic")
	}
	zr, err := zip.NewReader(bytes.NewReader(one), int64(len(one)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name+":"+f.Mode().String())
	}
	want := []string{"a.txt:-rw-r--r--", "b/z.txt:-rw-r--r--", "bootstrap:-rwxr-xr-x"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("entries %v, want %v", names, want)
	}
}

func TestHelp(t *testing.T) {
	out, _, code := runMain(t, map[string]string{}, "help")
	if code != 0 {
		t.Fatalf("help exit %d", code)
	}
	for _, op := range modelOperations {
		if !strings.Contains(out, "  "+op.CLIName+" ") {
			t.Errorf("help lacks %s", op.CLIName)
		}
	}
	out, _, code = runMain(t, map[string]string{}, "create-function", "--help")
	if code != 0 || !strings.Contains(out, "--function-name <string> (required)") || !strings.Contains(out, "--code-dir") ||
		!strings.Contains(out, "--publish | --no-publish") {
		t.Errorf("create-function --help (exit %d):\n%s", code, out)
	}
	for _, args := range [][]string{{"invoke", "help"}, {"invoke", "--function-name", "f", "--help"}} {
		out, _, code = runMain(t, map[string]string{}, args...)
		if code != 0 || !strings.Contains(out, "outfile <path> (required)") {
			t.Errorf("%v (exit %d):\n%s", args, code, out)
		}
	}
	out, _, code = runMain(t, map[string]string{}, "wait", "function-exists", "--help")
	if code != 0 || !strings.Contains(out, "kindling wait function-exists") {
		t.Errorf("wait function-exists --help (exit %d):\n%s", code, out)
	}
	out, _, code = runMain(t, map[string]string{}, "wait", "help")
	if code != 0 || !strings.Contains(out, "function-active-v2") {
		t.Errorf("wait help (exit %d):\n%s", code, out)
	}
}

// Every input member named in the model tables decodes into the SDK input
// struct: a JSON document naming all of them is accepted field by field.
func TestModelMatchesSDK(t *testing.T) {
	for _, op := range modelOperations {
		in := shapeOf(op.Input)
		for _, m := range in.Members {
			if shapeOf(m.Shape) == nil {
				t.Errorf("%s.%s: unknown shape %s", op.Name, m.Name, m.Shape)
			}
		}
		if op.Output != "" && shapeOf(op.Output) == nil {
			t.Errorf("%s: unknown output shape", op.Name)
		}
		if op.Call == nil {
			t.Errorf("%s: no SDK call", op.Name)
		}
	}
	for _, w := range modelWaiters {
		if operationByName(w.Operation) == nil {
			t.Errorf("waiter %s: operation %s not available", w.Name, w.Operation)
		}
	}
}

// model_gen.go must be what `go generate` produces from gen/botocore.
func TestGeneratedCodeUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	out := filepath.Join(t.TempDir(), "model_gen.go")
	cmd := exec.Command("go", "run", "./gen", "-model", "gen/botocore", "-out", out)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go run ./gen: %v", err)
	}
	want, _ := os.ReadFile(out)
	got, _ := os.ReadFile("model_gen.go")
	if !bytes.Equal(want, got) {
		t.Error("model_gen.go is stale: run `go generate ./internal/cli/`")
	}
}

func TestOJSONKeepsOrder(t *testing.T) {
	v, err := ojson.Parse([]byte(`{"b":1,"a":{"z":true,"y":null},"b":2}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := pyJSONDumps(v); got != "{\n    \"b\": 2,\n    \"a\": {\n        \"z\": true,\n        \"y\": null\n    }\n}" {
		t.Errorf("got %s", got)
	}
}
