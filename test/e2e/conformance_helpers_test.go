package e2e

// Helpers of the conformance cases: signed raw HTTP calls with the checks
// every response must pass, AWS error assertions, and function set-up.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

const roleARN = "arn:aws:iam::" + account + ":role/lambda-role"

// lambda-api.md §1.5: AWS request ids are lower-case UUIDs.
var requestIDRe = regexp.MustCompile(`^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$`)

// fnARN is the unqualified function ARN (lambda-api.md §5.1).
func fnARN(name string) string {
	return "arn:aws:lambda:" + region + ":" + account + ":function:" + name
}

// qARN is a version- or alias-qualified function ARN (lambda-api.md §5.1).
func qARN(name, q string) string { return fnARN(name) + ":" + q }

var nameSeq atomic.Int64

// uniqueName returns a function name no other case of this run uses.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1e6, nameSeq.Add(1))
}

// apiResp is a raw HTTP response.
type apiResp struct {
	status int
	header http.Header
	body   []byte
}

// obj decodes the body as a JSON object.
func (r apiResp) obj(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, clip(r.body))
	}
	return m
}

func clip(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "..."
	}
	return string(b)
}

// signedCall sends a SigV4-signed request to s (path is sent as given, so
// it may carry percent-encoding) and checks what every response carries: an
// x-amzn-RequestId that is a lower-case UUID (lambda-api.md §1.5).
func signedCall(t testing.TB, s *server, method, path string, body []byte, hdr map[string]string) apiResp {
	t.Helper()
	r, err := signedDo(s, method, path, body, hdr)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	// lambda-api.md §1.5: every response carries x-amzn-RequestId, a lower-case UUID.
	if id := r.header.Get("x-amzn-RequestId"); !requestIDRe.MatchString(id) {
		t.Errorf("%s %s: x-amzn-RequestId = %q, want a lower-case UUID", method, path, id)
	}
	return r
}

// signedDo is signedCall without the checks, safe to use from any goroutine.
func signedDo(s *server, method, path string, body []byte, hdr map[string]string) (apiResp, error) {
	req, err := http.NewRequest(method, s.url+path, bytes.NewReader(body))
	if err != nil {
		return apiResp{}, err
	}
	req.ContentLength = int64(len(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "lambda", region, time.Now()); err != nil {
		return apiResp{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return apiResp{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return apiResp{}, fmt.Errorf("read body: %w", err)
	}
	return apiResp{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// callJSON is call with a JSON body (as the CLI sends it, lambda-api.md §1.3).
func signedJSON(t testing.TB, s *server, method, path string, v any) apiResp {
	t.Helper()
	var body []byte
	if v != nil {
		var err error
		if body, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	return signedCall(t, s, method, path, body, map[string]string{"Content-Type": "application/json"})
}

// fnPath is the escaped /2015-03-31/functions/<name> path (lambda-api.md §1.2).
func fnPath(name string) string { return "/2015-03-31/functions/" + url.PathEscape(name) }

// errShape is the body an error type carries (lambda-api.md §7.2): the
// message key's casing and whether "Type":"User" is present.
var errShape = map[string]struct {
	msgKey  string
	hasType bool
}{
	"ResourceNotFoundException":      {"Message", true},
	"InvalidParameterValueException": {"message", true},
	"ResourceConflictException":      {"message", true},
	"PreconditionFailedException":    {"message", true},
	"InvalidRequestContentException": {"message", true},
	"TooManyRequestsException":       {"message", true},
	"ValidationException":            {"message", false}, // §7.2: message only, no Type
	"RequestEntityTooLargeException": {"message", false}, // §7.2: message only
}

// wantErr checks an error response: status, x-amzn-ErrorType (§1.6), the
// body's exact key set and casing (§7.2), and returns the message.
func wantErr(t testing.TB, r apiResp, status int, code string) string {
	t.Helper()
	return wantErrShape(t, r, status, code, true)
}

// wantErrShape is wantErr; withType=false expects a body without "Type"
// (the few IPVEs of lambda-api.md §10.1 item 3).
func wantErrShape(t testing.TB, r apiResp, status int, code string, withType bool) string {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d (%s); body %s", r.status, status, code, clip(r.body))
	}
	// lambda-api.md §1.6: the error code travels in x-amzn-ErrorType.
	if got := r.header.Get("x-amzn-ErrorType"); strings.SplitN(got, ":", 2)[0] != code {
		t.Fatalf("x-amzn-ErrorType = %q, want %q; body %s", got, code, clip(r.body))
	}
	shape, ok := errShape[code]
	if !ok { // e.g. AccessDeniedException: no body shape in the reference
		return ""
	}
	m := r.obj(t)
	want := []string{shape.msgKey}
	if shape.hasType && withType {
		want = append(want, "Type")
		if m["Type"] != "User" { // §1.6: Type is "User" for client faults
			t.Errorf("%s: Type = %v, want User", code, m["Type"])
		}
	}
	if got := jsonKeys(m); !sameStrings(got, sortedCopy(want)) {
		t.Errorf("%s body keys %v, want %v (lambda-api.md §7.2); body %s", code, got, sortedCopy(want), clip(r.body))
	}
	msg, _ := m[shape.msgKey].(string)
	return msg
}

// wantErrMsg is wantErr plus an exact message.
func wantErrMsg(t testing.TB, r apiResp, status int, code, msg string) {
	t.Helper()
	if got := wantErr(t, r, status, code); got != msg {
		t.Errorf("%s message:\n got  %q\n want %q", code, got, msg)
	}
}

// sdkErr checks an SDK error's HTTP status and code and returns its message.
func sdkErr(t testing.TB, err error, status int, code string) string {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %d %s", status, code)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("not an API error: %v", err)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("no HTTP response in %v", err)
	}
	if re.HTTPStatusCode() != status || ae.ErrorCode() != code {
		t.Fatalf("got %d %s (%s), want %d %s", re.HTTPStatusCode(), ae.ErrorCode(), ae.ErrorMessage(), status, code)
	}
	if !requestIDRe.MatchString(re.ServiceRequestID()) { // §1.5
		t.Errorf("error request id %q is not a lower-case UUID", re.ServiceRequestID())
	}
	return ae.ErrorMessage()
}

func jsonKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// codeSha256 is how Lambda reports a package's hash: base64 of its SHA-256
// (lambda-api.md §3.2).
func codeSha256(zip []byte) string {
	sum := sha256.Sum256(zip)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// echoJS is a Node.js handler whose behaviour each event selects. tag
// tells versions apart; count shows whether the environment was reset.
func echoJS(tag string) string {
	return `let count = 0;
exports.handler = async (event, context) => {
  count++;
  console.log("echo-log " + (event && event.marker || "-"));
  if (event && event.sleepMs) { console.log("sleeping " + event.sleepMs); await new Promise(r => setTimeout(r, event.sleepMs)); }
  if (event && event.exit) process.exit(event.exit);
  if (event && event.throw) throw new Error(event.throw);
  if (event && event.big) return "x".repeat(event.big);
  if (event && event.undef) return undefined;
  if (event && event.lenOnly) return { len: JSON.stringify(event).length };
  return { tag: "` + tag + `", event, count, arn: context.invokedFunctionArn, version: context.functionVersion,
    requestId: context.awsRequestId, functionName: context.functionName, logGroupName: context.logGroupName,
    clientContext: context.clientContext ? JSON.stringify(context.clientContext) : null, greeting: process.env.GREETING || null };
};
`
}

// echoZip is the deployment package of echoJS(tag).
func echoZip(t testing.TB, tag string) []byte {
	return zipOf(t, map[string]string{"index.js": echoJS(tag)})
}

// createFn creates a nodejs20.x function from zip and waits until it is
// Active; mods adjust the request.
func createFn(t testing.TB, s *server, name string, zip []byte, mods ...func(*lambda.CreateFunctionInput)) *lambda.CreateFunctionOutput {
	t.Helper()
	in := &lambda.CreateFunctionInput{
		FunctionName: aws.String(name),
		Runtime:      types.RuntimeNodejs20x,
		Handler:      aws.String("index.handler"),
		Role:         aws.String(roleARN),
		Code:         &types.FunctionCode{ZipFile: zip},
	}
	for _, m := range mods {
		m(in)
	}
	out, err := sdk(s).CreateFunction(context.Background(), in)
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	waitSettled(t, s, name)
	return out
}

// waitSettled polls GetFunction until the function is Active and its last
// update Successful, as the FunctionActiveV2/FunctionUpdatedV2 waiters do
// (lambda-api.md §1.10), but without their 1 s poll interval.
func waitSettled(t testing.TB, s *server, name string) *lambda.GetFunctionOutput {
	t.Helper()
	var last *lambda.GetFunctionOutput
	eventually(t, 30*time.Second, name+" to be Active/Successful", func() bool {
		out, err := sdk(s).GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(name)})
		if err != nil {
			t.Fatalf("get %s: %v", name, err)
		}
		last = out
		c := out.Configuration
		if c.State == types.StateFailed || c.LastUpdateStatus == types.LastUpdateStatusFailed {
			t.Fatalf("%s failed: %s %s", name, aws.ToString(c.StateReason), aws.ToString(c.LastUpdateStatusReason))
		}
		return c.State == types.StateActive && c.LastUpdateStatus == types.LastUpdateStatusSuccessful
	})
	return last
}

// updateDescription changes $LATEST's description and waits for the update.
func updateDescription(t testing.TB, s *server, name, desc string) {
	t.Helper()
	if _, err := sdk(s).UpdateFunctionConfiguration(context.Background(), &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String(name), Description: aws.String(desc),
	}); err != nil {
		t.Fatalf("update %s: %v", name, err)
	}
	waitSettled(t, s, name)
}

// publish publishes $LATEST and returns the version number.
func publish(t testing.TB, s *server, name string) string {
	t.Helper()
	out, err := sdk(s).PublishVersion(context.Background(), &lambda.PublishVersionInput{FunctionName: aws.String(name)})
	if err != nil {
		t.Fatalf("publish %s: %v", name, err)
	}
	return aws.ToString(out.Version)
}

// invokeRaw invokes name over plain HTTP as the CLI does: raw payload, no
// Content-Type (lambda-api.md §1.3, §4.1).
func invokeRaw(t testing.TB, s *server, name, qualifier string, payload []byte, hdr map[string]string) apiResp {
	t.Helper()
	p := fnPath(name) + "/invocations"
	if qualifier != "" {
		p += "?Qualifier=" + url.QueryEscape(qualifier)
	}
	return signedCall(t, s, "POST", p, payload, hdr)
}

// echoResult is what echoJS returns by default.
type echoResult struct {
	Tag       string         `json:"tag"`
	Event     map[string]any `json:"event"`
	Count     int            `json:"count"`
	Arn       string         `json:"arn"`
	Version   string         `json:"version"`
	RequestID string         `json:"requestId"`
	Function  string         `json:"functionName"`
	LogGroup  string         `json:"logGroupName"`
	ClientCtx *string        `json:"clientContext"`
	Greeting  *string        `json:"greeting"`
}

// invokeEcho invokes an echoJS function synchronously and expects success.
func invokeEcho(t testing.TB, s *server, name, qualifier string, payload string) (echoResult, apiResp) {
	t.Helper()
	r := invokeRaw(t, s, name, qualifier, []byte(payload), nil)
	if r.status != 200 || r.header.Get("X-Amz-Function-Error") != "" {
		t.Fatalf("invoke %s (%s): %d %s %s", name, qualifier, r.status, r.header.Get("X-Amz-Function-Error"), clip(r.body))
	}
	var out echoResult
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatalf("invoke %s: %v: %s", name, err, clip(r.body))
	}
	return out, r
}
