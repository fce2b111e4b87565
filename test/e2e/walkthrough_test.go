package e2e

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The function of the Core issue's walkthrough, plus a log line so that
// asynchronous runs are observable.
const helloJS = `exports.handler = async (event) => {
  console.log("event:" + JSON.stringify(event));
  const response = { statusCode: 200, body: JSON.stringify(` + "`Hello ${event.name}!`" + `) };
  return response;
};
`

// TestWalkthrough runs the Core issue's walkthrough verbatim with the AWS
// CLI v2 and with kindling's CLI. Expected outputs are the AWS CLI v2's
// rendering of the responses in reference/lambda-api.md §4.2.
func TestWalkthrough(t *testing.T) {
	s := sharedServer(t)
	for _, c := range []client{awsCLI(s), kindlingCLI(s)} {
		t.Run(c.name, func(t *testing.T) { walkthrough(t, s, c) })
	}
}

func writeZip(t *testing.T, dir, js string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "function.zip"), zipOf(t, map[string]string{"index.js": js}), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustRun(t *testing.T, c client, dir string, args ...string) string {
	t.Helper()
	r := c.run(t, dir, args...)
	if r.code != 0 {
		t.Fatalf("%s %s: exit %d\nstdout: %s\nstderr: %s", c.name, strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

func walkthrough(t *testing.T, s *server, c client) {
	dir := t.TempDir()
	name := "testFunction-" + c.name
	writeZip(t, dir, helloJS)

	// Step 6: create what is then invoked.
	out := mustRun(t, c, dir, "create-function", "--function-name", name, "--runtime", "nodejs20.x",
		"--handler", "index.handler", "--role", "arn:aws:iam::000000000000:role/lambda-role", "--zip-file", "fileb://function.zip")
	var created map[string]any
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatalf("create-function output: %v\n%s", err, out)
	}
	// reference/lambda-api.md §3.2: the create response is Pending, the ARN unqualified.
	if created["FunctionArn"] != "arn:aws:lambda:us-east-1:000000000000:function:"+name || created["State"] != "Pending" {
		t.Fatalf("create-function: %s", out)
	}
	mustRun(t, c, dir, "wait", "function-active-v2", "--function-name", name)

	// Step 1: a raw JSON payload with raw-in-base64-out.
	out = mustRun(t, c, dir, "invoke", "--function-name", name, "--cli-binary-format", "raw-in-base64-out",
		"--payload", `{"name": "John Smith"}`, "response.json")
	wantInvoke := "{\n    \"StatusCode\": 200,\n    \"ExecutedVersion\": \"$LATEST\"\n}\n"
	if out != wantInvoke {
		t.Fatalf("invoke printed %q, want %q", out, wantInvoke)
	}
	if got := readFile(t, filepath.Join(dir, "response.json")); got != `{"statusCode":200,"body":"\"Hello John Smith!\""}` {
		t.Fatalf("response.json = %s", got)
	}

	// Step 2: file:// and fileb:// payloads; without raw-in-base64-out the
	// payload is base64.
	if err := os.WriteFile(filepath.Join(dir, "event.json"), []byte(`{ "name": "John Doe" }`), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, c, dir, "invoke", "--function-name", name, "--cli-binary-format", "raw-in-base64-out",
		"--payload", "file://event.json", "response.json")
	if got := readFile(t, filepath.Join(dir, "response.json")); got != `{"statusCode":200,"body":"\"Hello John Doe!\""}` {
		t.Fatalf("file:// response.json = %s", got)
	}
	mustRun(t, c, dir, "invoke", "--function-name", name, "--payload", "fileb://event.json", "response.json")
	if got := readFile(t, filepath.Join(dir, "response.json")); got != `{"statusCode":200,"body":"\"Hello John Doe!\""}` {
		t.Fatalf("fileb:// response.json = %s", got)
	}
	b64 := base64.StdEncoding.EncodeToString([]byte(`{"name": "Base Sixtyfour"}`))
	mustRun(t, c, dir, "invoke", "--function-name", name, "--payload", b64, "response.json")
	if got := readFile(t, filepath.Join(dir, "response.json")); got != `{"statusCode":200,"body":"\"Hello Base Sixtyfour!\""}` {
		t.Fatalf("base64 response.json = %s", got)
	}
	r := c.run(t, dir, "invoke", "--function-name", name, "--payload", `{"name": "John Smith"}`, "response.json")
	// AWS CLI v2 takes blob arguments as base64: a client-side error, exit 255.
	if r.code != 255 || !strings.Contains(r.stderr, "Invalid base64") {
		t.Fatalf("raw payload without raw-in-base64-out: exit %d, stderr %q", r.code, r.stderr)
	}

	// Step 3: the function's own statusCode never becomes the invoke status.
	writeZip(t, dir, `exports.handler = async () => ({ statusCode: 400, body: "bad request" });`)
	mustRun(t, c, dir, "update-function-code", "--function-name", name, "--zip-file", "fileb://function.zip")
	mustRun(t, c, dir, "wait", "function-updated-v2", "--function-name", name)
	out = mustRun(t, c, dir, "invoke", "--function-name", name, "--cli-binary-format", "raw-in-base64-out",
		"--payload", `{"name": "John Smith"}`, "response.json")
	if out != wantInvoke {
		t.Fatalf("invoke of a 400-returning handler printed %q", out)
	}
	if got := readFile(t, filepath.Join(dir, "response.json")); got != `{"statusCode":400,"body":"bad request"}` {
		t.Fatalf("400 body = %s", got)
	}

	// Step 4: versions and aliases.
	writeZip(t, dir, helloJS)
	mustRun(t, c, dir, "update-function-code", "--function-name", name, "--zip-file", "fileb://function.zip")
	mustRun(t, c, dir, "wait", "function-updated-v2", "--function-name", name)
	out = mustRun(t, c, dir, "publish-version", "--function-name", name)
	if !strings.Contains(out, `"Version": "1"`) {
		t.Fatalf("first publish: %s", out)
	}
	writeZip(t, dir, strings.Replace(helloJS, "Hello", "Goodbye", 1))
	mustRun(t, c, dir, "update-function-code", "--function-name", name, "--zip-file", "fileb://function.zip")
	mustRun(t, c, dir, "wait", "function-updated-v2", "--function-name", name)
	out = mustRun(t, c, dir, "publish-version", "--function-name", name)
	if !strings.Contains(out, `"Version": "2"`) || !strings.Contains(out, `"FunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:`+name+`:2"`) {
		t.Fatalf("second publish: %s", out)
	}
	out = mustRun(t, c, dir, "invoke", "--function-name", name, "--qualifier", "2", "--cli-binary-format", "raw-in-base64-out",
		"--payload", `{"name": "John Smith"}`, "response.json")
	if out != "{\n    \"StatusCode\": 200,\n    \"ExecutedVersion\": \"2\"\n}\n" {
		t.Fatalf("invoke --qualifier 2 printed %q", out)
	}
	if got := readFile(t, filepath.Join(dir, "response.json")); got != `{"statusCode":200,"body":"\"Goodbye John Smith!\""}` {
		t.Fatalf("version 2 response = %s", got)
	}
	mustRun(t, c, dir, "invoke", "--function-name", name, "--qualifier", "1", "--cli-binary-format", "raw-in-base64-out",
		"--payload", `{"name": "John Smith"}`, "response.json")
	if got := readFile(t, filepath.Join(dir, "response.json")); got != `{"statusCode":200,"body":"\"Hello John Smith!\""}` {
		t.Fatalf("version 1 response = %s", got)
	}
	out = mustRun(t, c, dir, "create-alias", "--function-name", name, "--name", "live", "--function-version", "2")
	if !strings.Contains(out, `"AliasArn": "arn:aws:lambda:us-east-1:000000000000:function:`+name+`:live"`) {
		t.Fatalf("create-alias: %s", out)
	}
	out = mustRun(t, c, dir, "invoke", "--function-name", name, "--qualifier", "live", "--cli-binary-format", "raw-in-base64-out",
		"--payload", `{"name": "John Smith"}`, "response.json")
	if out != "{\n    \"StatusCode\": 200,\n    \"ExecutedVersion\": \"2\"\n}\n" {
		t.Fatalf("invoke --qualifier live printed %q", out)
	}

	// Step 5: Event invocations answer 202 at once and run shortly after.
	out = mustRun(t, c, dir, "invoke", "--function-name", name, "--invocation-type", "Event", "--cli-binary-format", "raw-in-base64-out",
		"--payload", `{"fruit": "tomato"}`, "response.json")
	if out != "{\n    \"StatusCode\": 202\n}\n" {
		t.Fatalf("Event invoke printed %q", out)
	}
	if got := readFile(t, filepath.Join(dir, "response.json")); got != "" {
		t.Fatalf("Event response.json = %q, want empty", got)
	}
	eventually(t, 20*time.Second, "the Event to run", func() bool {
		return strings.Contains(s.log.String(), "["+name+" ") && strings.Contains(s.log.String(), `event:{"fruit":"tomato"}`)
	})
	if err := os.WriteFile(filepath.Join(dir, "event.json"), []byte(`{ "name": "`+c.name+` event" }`), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, c, dir, "invoke", "--function-name", name, "--invocation-type", "Event", "--qualifier", "2",
		"--cli-binary-format", "raw-in-base64-out", "--payload", "file://event.json", "response.json")
	eventually(t, 20*time.Second, "the qualified Event to run", func() bool {
		return strings.Contains(s.log.String(), `event:{"name":"`+c.name+` event"}`)
	})

	// Step 6: read back, list, delete.
	out = mustRun(t, c, dir, "get-function", "--function-name", name)
	var got struct {
		Configuration map[string]any
		Code          struct{ RepositoryType, Location string }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("get-function: %v", err)
	}
	if got.Configuration["State"] != "Active" || got.Configuration["LastUpdateStatus"] != "Successful" || got.Code.RepositoryType != "S3" {
		t.Fatalf("get-function: %s", out)
	}
	resp, zipBytes := httpDo(t, "GET", got.Code.Location, nil, nil)
	if resp.StatusCode != 200 || len(zipBytes) == 0 {
		t.Fatalf("Code.Location download: %d", resp.StatusCode)
	}
	out = mustRun(t, c, dir, "list-functions")
	if !strings.Contains(out, `"FunctionName": "`+name+`"`) {
		t.Fatalf("list-functions lacks %s: %s", name, out)
	}
	mustRun(t, c, dir, "delete-function", "--function-name", name)
	r = c.run(t, dir, "get-function", "--function-name", name)
	// reference/lambda-api.md §7.1: the CLI's rendering of a 404, exit 254 in v2.
	want := "An error occurred (ResourceNotFoundException) when calling the GetFunction operation: Function not found: arn:aws:lambda:us-east-1:000000000000:function:" + name
	if r.code != 254 || strings.TrimSpace(r.stderr) != want {
		t.Fatalf("get after delete: exit %d, stderr %q", r.code, r.stderr)
	}
}
