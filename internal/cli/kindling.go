package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/encoding/httpbinding"
)

// Kindling-only commands: Kindling's own async endpoints under /_kindling
// (docs/COMPATIBILITY.md, "Kindling's own API"). They are not in the botocore
// model, so their arguments and requests are described here, but they share
// everything else with the model commands: global options, endpoint,
// credential and region resolution, SigV4 (service "lambda"), retries,
// output formats, --query, error rendering and exit codes.

// kindlingCommand is one Kindling-only command.
type kindlingCommand struct {
	name    string // CLI name
	op      string // operation name in errors and table titles
	method  string
	uri     string // for help, e.g. /_kindling/v1/async/events/{RequestId}
	doc     string
	args    []*cliArg
	outputs []string
	// request builds the path (segments already escaped), query and body.
	request func(g map[string]*given) (path string, query url.Values, body []byte, err error)
}

func kindlingArg(name, kind string, required bool, doc string) *cliArg {
	a := &cliArg{name: name, dest: name, required: required, doc: doc, shape: &shape{Type: "string"}}
	switch kind {
	case "list":
		a.kind, a.shape = argList, &shape{Type: "list", ListMember: "String"}
	case "integer":
		a.intType, a.shape = true, &shape{Type: "integer"}
	}
	return a
}

// pathSegment percent-encodes one path parameter as the SDK encodes URI
// labels (everything but unreserved characters, "/" included).
func pathSegment(s string) string { return httpbinding.EscapePath(s, true) }

// requireNonEmpty is botocore's min-length check for a required string.
func requireNonEmpty(param, v string) error {
	if v == "" {
		return validationError(fmt.Sprintf("Parameter validation failed:\nInvalid length for parameter %s, value: 0, valid min length: 1", param))
	}
	return nil
}

var statusMembers = []string{"requestId", "function", "qualifier", "state", "attempts", "accepted", "updated", "lastError", "condition", "destination", "redrives"}

var kindlingCommands = []*kindlingCommand{
	{
		name: "get-event-status", op: "GetEventStatus", method: "GET", uri: "/_kindling/v1/async/events/{RequestId}",
		doc: "(kindling) Show the status of one Event invocation (queued, running, retrying, succeeded, failed).",
		args: []*cliArg{
			kindlingArg("request-id", "string", true, "The request id the Event invocation was accepted with (x-amzn-RequestId of the 202 response)."),
		},
		outputs: statusMembers,
		request: func(g map[string]*given) (string, url.Values, []byte, error) {
			id := g["request-id"].str
			if err := requireNonEmpty("RequestId", id); err != nil {
				return "", nil, nil, err
			}
			return "/_kindling/v1/async/events/" + pathSegment(id), nil, nil, nil
		},
	},
	{
		name: "list-failed-events", op: "ListFailedEvents", method: "GET", uri: "/_kindling/v1/functions/{FunctionName}/async/failed",
		doc: "(kindling) List a function's failed Event invocations, which redrive-failed-events can run again.",
		args: []*cliArg{
			kindlingArg("function-name", "string", true, "The name or ARN of the function."),
		},
		outputs: []string{"FailedEvents"},
		request: func(g map[string]*given) (string, url.Values, []byte, error) {
			return functionPath(g, "failed")
		},
	},
	{
		name: "redrive-failed-events", op: "RedriveFailedEvents", method: "POST", uri: "/_kindling/v1/functions/{FunctionName}/async/redrive",
		doc: "(kindling) Run a function's failed Event invocations again, with their original request ids.",
		args: []*cliArg{
			kindlingArg("function-name", "string", true, "The name or ARN of the function."),
			kindlingArg("request-ids", "list", false, "The request ids of the failed events to redrive (default: all of the function's failed events)."),
		},
		outputs: []string{"Redriven"},
		request: func(g map[string]*given) (string, url.Values, []byte, error) {
			path, _, _, err := functionPath(g, "redrive")
			if err != nil {
				return "", nil, nil, err
			}
			in := map[string]any{}
			if ids, ok := g["request-ids"]; ok && len(ids.list) > 0 {
				in["RequestIds"] = ids.list
			}
			body, _ := json.Marshal(in)
			return path, nil, body, nil
		},
	},
	{
		name: "get-async-queue", op: "GetAsyncQueue", method: "GET", uri: "/_kindling/v1/functions/{FunctionName}/async/queue",
		doc: "(kindling) Show how many Event invocations of a function wait, and the age of the oldest.",
		args: []*cliArg{
			kindlingArg("function-name", "string", true, "The name or ARN of the function."),
		},
		outputs: []string{"function", "depth", "oldestAgeSeconds"},
		request: func(g map[string]*given) (string, url.Values, []byte, error) {
			return functionPath(g, "queue")
		},
	},
	{
		name: "receive-destination-messages", op: "ReceiveDestinationMessages", method: "GET", uri: "/_kindling/v1/destinations/{Destination}/messages",
		doc: "(kindling) Read (without removing) the records kept for a non-function destination or DLQ.",
		args: []*cliArg{
			kindlingArg("destination", "string", true, "The destination ARN, as in DestinationConfig or DeadLetterConfig."),
			kindlingArg("max-items", "integer", false, "The maximum number of messages to return (1-1000, default 10)."),
		},
		outputs: []string{"Messages"},
		request: func(g map[string]*given) (string, url.Values, []byte, error) {
			arn := g["destination"].str
			if err := requireNonEmpty("Destination", arn); err != nil {
				return "", nil, nil, err
			}
			var q url.Values
			if m, ok := g["max-items"]; ok {
				n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(m.str), "_", ""))
				if err != nil || n < 1 {
					return "", nil, nil, validationError(fmt.Sprintf("Parameter validation failed:\nInvalid value for parameter MaxItems, value: %s, valid min value: 1", strings.TrimSpace(m.str)))
				}
				q = url.Values{"MaxItems": {strconv.Itoa(n)}}
			}
			return "/_kindling/v1/destinations/" + pathSegment(arn) + "/messages", q, nil, nil
		},
	},
}

func functionPath(g map[string]*given, leaf string) (string, url.Values, []byte, error) {
	name := g["function-name"].str
	if err := requireNonEmpty("FunctionName", name); err != nil {
		return "", nil, nil, err
	}
	return "/_kindling/v1/functions/" + pathSegment(name) + "/async/" + leaf, nil, nil, nil
}

func kindlingCommandByName(name string) *kindlingCommand {
	for _, c := range kindlingCommands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func kindlingCommandNames() []string {
	names := make([]string, len(kindlingCommands))
	for i, c := range kindlingCommands {
		names[i] = c.name
	}
	return names
}

// printKindlingCommands is the "Kindling commands" section of `kindling help`.
func (r *runner) printKindlingCommands() {
	fmt.Fprintln(r.stdout, "Kindling commands (Kindling's own API; not in the AWS CLI):")
	for _, c := range kindlingCommands {
		fmt.Fprintf(r.stdout, "  %-38s %s\n", c.name, truncate(strings.TrimPrefix(c.doc, "(kindling) "), 90))
	}
}

func (r *runner) printKindlingHelp(c *kindlingCommand) {
	w := r.stdout
	fmt.Fprintf(w, "kindling %s\n\n  %s\n  API: %s %s (%s; Kindling only)\n\n", c.name, c.doc, c.method, c.uri, c.op)
	fmt.Fprintln(w, "Options:")
	for _, a := range c.args {
		name := a.cliName()
		if a.kind == argList {
			name += " <value> [<value> ...]"
		} else {
			name += " <" + typeLabel(a) + ">"
		}
		req := ""
		if a.required {
			req = " (required)"
		}
		fmt.Fprintf(w, "  %s%s\n", name, req)
		if a.doc != "" {
			fmt.Fprintf(w, "      %s\n", a.doc)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Output members: %s\n", strings.Join(c.outputs, ", "))
}

// runKindling parses, sends and prints one Kindling-only command.
func (r *runner) runKindling(ctx context.Context, c *kindlingCommand, args []string) error {
	parsed, err := parseOpArgs(c.args, args)
	if err != nil {
		return err
	}
	if parsed.help {
		r.printKindlingHelp(c)
		return nil
	}
	if len(parsed.unknown) > 0 {
		return unknownArgsError("Unknown options: " + strings.Join(parsed.unknown, ", "))
	}
	path, query, body, err := c.request(parsed.values)
	if err != nil {
		return err
	}
	raw, err := r.kindlingCall(ctx, c, path, query, body)
	if err != nil {
		return err
	}
	return r.display(&operation{Name: c.op}, parseBodyJSON(raw.body))
}

// kindlingHTTPError is a non-2xx answer, shaped for the SDK's retry rules.
type kindlingHTTPError struct {
	status int
	code   string
}

func (e *kindlingHTTPError) Error() string       { return fmt.Sprintf("%d %s", e.status, e.code) }
func (e *kindlingHTTPError) HTTPStatusCode() int { return e.status }
func (e *kindlingHTTPError) ErrorCode() string   { return e.code }

// kindlingCall sends one signed request with the SDK's standard retry
// rules (3 attempts in all) and returns the final response, or the error
// as the model commands render it.
func (r *runner) kindlingCall(ctx context.Context, c *kindlingCommand, path string, query url.Values, body []byte) (*rawResponse, error) {
	creds, region, err := r.resolveClientConfig(ctx)
	if err != nil {
		return nil, err
	}
	if r.g.region != "" && !validRegion(r.g.region) {
		return nil, generalError(fmt.Sprintf("Provided region_name '%s' doesn't match a supported format.", r.g.region))
	}
	base, err := url.Parse(r.endpoint())
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, generalError(fmt.Sprintf("Bad value for --endpoint-url \"%s\": scheme is missing.  Must be of the form http://<hostname>/ or https://<hostname>/", r.endpoint()))
	}
	u := *base
	u.RawPath = strings.TrimSuffix(base.EscapedPath(), "/") + path
	if u.Path, err = url.PathUnescape(u.RawPath); err != nil {
		return nil, generalError(err.Error())
	}
	u.RawQuery = query.Encode()
	u.Fragment = ""
	hc := r.httpClient()
	retryer := retry.NewStandard()
	signer := v4.NewSigner()
	raw := &rawResponse{url: u.String()}
	for attempt := 1; ; attempt++ {
		raw.attempts = attempt
		err := r.kindlingAttempt(ctx, hc, signer, creds, region, c.method, &u, body, raw)
		if err == nil && raw.status < 300 {
			return raw, nil
		}
		if errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled) {
			return nil, context.Canceled
		}
		if err == nil {
			code, _ := serviceErrorInfo(raw)
			err = &kindlingHTTPError{raw.status, code}
		}
		if attempt >= retryer.MaxAttempts() || !retryer.IsErrorRetryable(err) {
			return nil, r.kindlingError(c, raw, err, attempt)
		}
		delay, derr := retryer.RetryDelay(attempt, err)
		if derr != nil {
			return nil, r.kindlingError(c, raw, err, attempt)
		}
		if r.g.debug {
			fmt.Fprintf(r.stderr, "retrying %s in %s (attempt %d): %v\n", c.op, delay, attempt, err)
		}
		if err := waitSleep(ctx, delay); err != nil {
			return nil, err
		}
	}
}

type httpDoer interface {
	Do(*http.Request) (*http.Response, error)
}

func (r *runner) kindlingAttempt(ctx context.Context, hc httpDoer, signer *v4.Signer, creds aws.CredentialsProvider, region, method string, u *url.URL, body []byte, raw *rawResponse) error {
	raw.got = false
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.URL = u // keep the exact escaping (RawPath)
	req.Header.Set("User-Agent", "kindling-cli")
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.g.signRequest {
		cr, err := creds.Retrieve(ctx)
		if err != nil {
			return noCredentials()
		}
		sum := sha256.Sum256(body)
		if err := signer.SignHTTP(ctx, cr, req, hex.EncodeToString(sum[:]), "lambda", region, time.Now()); err != nil {
			return err
		}
	}
	if r.g.debug {
		fmt.Fprintf(r.stderr, "Request: %s %s\n", method, u.String())
		if len(body) > 0 {
			fmt.Fprintf(r.stderr, "Request body: %s\n", body)
		}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	raw.got, raw.status, raw.header, raw.body = true, resp.StatusCode, resp.Header.Clone(), b
	if r.g.debug {
		fmt.Fprintf(r.stderr, "Response: %s\n%s\n", resp.Status, b)
	}
	return nil
}

// kindlingError renders a failed call like callError does for the model
// commands.
func (r *runner) kindlingError(c *kindlingCommand, raw *rawResponse, err error, attempts int) error {
	var ce *cliError
	if errors.As(err, &ce) {
		return ce
	}
	if raw.got && raw.status >= 300 {
		code, msg := serviceErrorInfo(raw)
		retryInfo := ""
		if attempts > 1 {
			retryInfo = fmt.Sprintf(" (reached max retries: %d)", attempts-1)
		}
		return &cliError{rcClientError, fmt.Sprintf("An error occurred (%s) when calling the %s operation%s: %s", code, c.op, retryInfo, msg)}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return generalError(fmt.Sprintf("Read timeout on endpoint URL: \"%s\"", raw.url))
	}
	var ue *url.Error
	var oe *net.OpError
	if errors.As(err, &ne) || errors.As(err, &oe) || errors.As(err, &ue) {
		return generalError(fmt.Sprintf("Could not connect to the endpoint URL: \"%s\"", raw.url))
	}
	return generalError(err.Error())
}
