package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// kindlingSeen is one request the fake Kindling endpoint received.
type kindlingSeen struct {
	method, rawPath, query, body, auth string
	sigOK                              bool
}

// kindlingFake answers Kindling's async endpoints with canned bodies and
// checks every request's SigV4 signature.
func kindlingFake(t *testing.T, replies map[string]reply) (*httptest.Server, func() []kindlingSeen) {
	var mu sync.Mutex
	var seen []kindlingSeen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s := kindlingSeen{method: r.Method, rawPath: r.URL.EscapedPath(), query: r.URL.RawQuery, body: string(body), auth: r.Header.Get("Authorization")}
		// Re-sign the request as received: the signature must match.
		if when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date")); err == nil {
			c := r.Clone(r.Context())
			c.Header.Del("Authorization")
			_, signed, _ := strings.Cut(s.auth, "SignedHeaders=")
			signed, _, _ = strings.Cut(signed, ",")
			for k := range c.Header { // only what the client signed (not Accept-Encoding, ...)
				if !strings.Contains(";"+signed+";", ";"+strings.ToLower(k)+";") {
					c.Header.Del(k)
				}
			}
			c.URL.Scheme, c.URL.Host = "http", r.Host
			sum := sha256.Sum256(body)
			err := v4.NewSigner().SignHTTP(r.Context(), aws.Credentials{AccessKeyID: "AKIDK", SecretAccessKey: "secret"}, c, hex.EncodeToString(sum[:]), "lambda", "eu-west-1", when)
			s.sigOK = err == nil && c.Header.Get("Authorization") == s.auth
		}
		mu.Lock()
		seen = append(seen, s)
		mu.Unlock()
		rp, ok := replies[r.Method+" "+r.URL.EscapedPath()]
		if !ok {
			rp = reply{status: 404, headers: map[string]string{"x-amzn-ErrorType": "ResourceNotFoundException"},
				body: `{"Type":"User","message":"No status for request id nope."}`}
		}
		w.Header().Set("Content-Type", "application/json")
		for k, v := range rp.headers {
			w.Header().Set(k, v)
		}
		if rp.status == 0 {
			rp.status = 200
		}
		w.WriteHeader(rp.status)
		io.WriteString(w, rp.body)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []kindlingSeen {
		mu.Lock()
		defer mu.Unlock()
		return append([]kindlingSeen(nil), seen...)
	}
}

func TestKindlingCommands(t *testing.T) {
	t.Parallel()
	status := `{"schema":1,"requestId":"id-1","function":"f","state":"failed","attempts":1,"accepted":"2024-01-02T03:04:05Z","updated":"2024-01-02T03:04:06Z","condition":"RetriesExhausted"}`
	srv, seen := kindlingFake(t, map[string]reply{
		"GET /_kindling/v1/async/events/id-1":                                             {body: status},
		"GET /_kindling/v1/functions/my%20fn/async/failed":                                {body: `{"FailedEvents":[` + status + `]}`},
		"POST /_kindling/v1/functions/f/async/redrive":                                    {body: `{"Redriven":["a","b"]}`},
		"GET /_kindling/v1/functions/f/async/queue":                                       {body: `{"function":"f","depth":3,"oldestAgeSeconds":1.5}`},
		"GET /_kindling/v1/destinations/arn%3Aaws%3Asqs%3Aus-east-1%3A0%3Aq%2Fx/messages": {body: `{"Messages":[{"body":{"k":"v"},"attributes":{"RequestID":"id-1"},"sent":"2024-01-02T03:04:07Z"}]}`},
	})
	env := map[string]string{"HOME": t.TempDir(), "AWS_ACCESS_KEY_ID": "AKIDK", "AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_REGION": "eu-west-1", "AWS_CONFIG_FILE": "/nonexistent", "AWS_ENDPOINT_URL": srv.URL}

	cases := []struct {
		name                    string
		args                    []string
		stdout, stderr          string
		code                    int
		method, path, query, in string
	}{
		{name: "status", args: []string{"get-event-status", "--request-id", "id-1", "--query", "[state,attempts]"},
			stdout: "[\n    \"failed\",\n    1\n]\n", method: "GET", path: "/_kindling/v1/async/events/id-1"},
		{name: "status text", args: []string{"get-event-status", "--request-id", "id-1", "--output", "text", "--query", "{s:state,c:condition}"},
			stdout: "RetriesExhausted\tfailed\n", method: "GET", path: "/_kindling/v1/async/events/id-1"},
		{name: "unknown id", args: []string{"get-event-status", "--request-id", "nope"}, code: 254,
			stderr: "\nAn error occurred (ResourceNotFoundException) when calling the GetEventStatus operation: No status for request id nope.\n",
			method: "GET", path: "/_kindling/v1/async/events/nope"},
		{name: "failed", args: []string{"list-failed-events", "--function-name", "my fn", "--query", "FailedEvents[].requestId", "--output", "text"},
			stdout: "id-1\n", method: "GET", path: "/_kindling/v1/functions/my%20fn/async/failed"},
		{name: "redrive all", args: []string{"redrive-failed-events", "--function-name", "f"},
			stdout: "{\n    \"Redriven\": [\n        \"a\",\n        \"b\"\n    ]\n}\n", method: "POST", path: "/_kindling/v1/functions/f/async/redrive", in: `{}`},
		{name: "redrive some", args: []string{"redrive-failed-events", "--request-ids", "a", "b", "--function-name", "f"},
			stdout: "{\n    \"Redriven\": [\n        \"a\",\n        \"b\"\n    ]\n}\n", method: "POST", path: "/_kindling/v1/functions/f/async/redrive", in: `{"RequestIds":["a","b"]}`},
		{name: "queue", args: []string{"get-async-queue", "--function-name", "f"},
			stdout: "{\n    \"function\": \"f\",\n    \"depth\": 3,\n    \"oldestAgeSeconds\": 1.5\n}\n", method: "GET", path: "/_kindling/v1/functions/f/async/queue"},
		{name: "messages", args: []string{"receive-destination-messages", "--destination", "arn:aws:sqs:us-east-1:0:q/x", "--max-items", "5", "--query", "Messages[0].body.k", "--output", "text"},
			stdout: "v\n", method: "GET", path: "/_kindling/v1/destinations/arn%3Aaws%3Asqs%3Aus-east-1%3A0%3Aq%2Fx/messages", query: "MaxItems=5"},
		{name: "missing arg", args: []string{"get-async-queue"}, code: 252,
			stderr: "\n" + usageText + "\nkindling: error: the following arguments are required: --function-name\n\n"},
		{name: "bad int", args: []string{"receive-destination-messages", "--destination", "x", "--max-items", "lots"}, code: 252,
			stderr: "\n" + usageText + "\nkindling: error: argument --max-items: invalid int value: 'lots'\n\n"},
		{name: "zero items", args: []string{"receive-destination-messages", "--destination", "x", "--max-items", "0"}, code: 252,
			stderr: "\nParameter validation failed:\nInvalid value for parameter MaxItems, value: 0, valid min value: 1\n"},
		{name: "empty id", args: []string{"get-event-status", "--request-id", ""}, code: 252,
			stderr: "\nParameter validation failed:\nInvalid length for parameter RequestId, value: 0, valid min length: 1\n"},
		{name: "unknown option", args: []string{"get-async-queue", "--function-name", "f", "--bogus"}, code: 252,
			stderr: "\n" + usageText + "Unknown options: --bogus\n\n"},
	}
	for _, c := range cases {
		before := len(seen())
		stdout, stderr, code := runMain(t, env, c.args...)
		if stdout != c.stdout || stderr != c.stderr || code != c.code {
			t.Errorf("%s: got (%q, %q, %d), want (%q, %q, %d)", c.name, stdout, stderr, code, c.stdout, c.stderr, c.code)
			continue
		}
		reqs := seen()[before:]
		if c.method == "" {
			if len(reqs) != 0 {
				t.Errorf("%s: sent %v", c.name, reqs)
			}
			continue
		}
		if len(reqs) != 1 {
			t.Errorf("%s: %d requests", c.name, len(reqs))
			continue
		}
		r := reqs[0]
		if r.method != c.method || r.rawPath != c.path || r.query != c.query || r.body != c.in {
			t.Errorf("%s: sent %s %s ?%s %q", c.name, r.method, r.rawPath, r.query, r.body)
		}
		if !r.sigOK || !strings.Contains(r.auth, "Credential=AKIDK/") || !strings.Contains(r.auth, "/eu-west-1/lambda/aws4_request") {
			t.Errorf("%s: signature %q (valid: %v)", c.name, r.auth, r.sigOK)
		}
	}
}

func TestKindlingCommandsRetryAndConnect(t *testing.T) {
	t.Parallel()
	var n int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		mu.Unlock()
		w.Header().Set("x-amzn-ErrorType", "ServiceException")
		w.WriteHeader(503)
		io.WriteString(w, `{"message":"down"}`)
	}))
	defer srv.Close()
	env := map[string]string{"HOME": t.TempDir(), "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "s", "AWS_ENDPOINT_URL": srv.URL}
	_, stderr, code := runMain(t, env, "get-async-queue", "--function-name", "f")
	if code != 254 || stderr != "\nAn error occurred (ServiceException) when calling the GetAsyncQueue operation (reached max retries: 2): down\n" || n != 3 {
		t.Fatalf("got %q %d after %d requests", stderr, code, n)
	}

	env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1"
	_, stderr, code = runMain(t, env, "--cli-connect-timeout", "1", "get-event-status", "--request-id", "x")
	if code != 255 || stderr != "\nCould not connect to the endpoint URL: \"http://127.0.0.1:1/_kindling/v1/async/events/x\"\n" {
		t.Fatalf("got %q %d", stderr, code)
	}
}

func TestKindlingCommandsHelp(t *testing.T) {
	t.Parallel()
	out, _, code := runMain(t, nil, "help")
	if code != 0 || !strings.Contains(out, "Kindling commands") {
		t.Fatalf("help: %d %s", code, out)
	}
	for _, c := range kindlingCommands {
		if !strings.Contains(out, "  "+c.name+" ") {
			t.Errorf("help lacks %s", c.name)
		}
		for _, args := range [][]string{{c.name, "help"}, {"help", c.name}, {c.name, "--help"}} {
			got, _, code := runMain(t, nil, args...)
			if code != 0 || !strings.HasPrefix(got, "kindling "+c.name+"\n") || !strings.Contains(got, "(required)") {
				t.Errorf("%v: %d %s", args, code, got)
			}
		}
	}
}
