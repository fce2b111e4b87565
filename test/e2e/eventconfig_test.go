package e2e

// Event invoke config API (reference/lambda-api.md §6.2): Put, Update, Get,
// Delete and List over raw HTTP with every error text, then the same
// lifecycle through the AWS CLI v2 and aws-sdk-go-v2, which must both parse
// the responses (LastModified is an epoch-seconds number).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// eicPath is the event-invoke-config path of name, with ?Qualifier= when q
// is not empty.
func eicPath(name, q string) string {
	p := "/2019-09-25/functions/" + url.PathEscape(name) + "/event-invoke-config"
	if q != "" {
		p += "?Qualifier=" + url.QueryEscape(q)
	}
	return p
}

// eicListPath is the ListFunctionEventInvokeConfigs path with a raw query.
func eicListPath(name, query string) string {
	p := "/2019-09-25/functions/" + url.PathEscape(name) + "/event-invoke-config/list"
	if query != "" {
		p += "?" + query
	}
	return p
}

// eicWant is an expected FunctionEventInvokeConfig; nil numbers must be
// absent from the body.
type eicWant struct {
	arn                  string
	retries, age         *int
	onSuccess, onFailure string
}

func iptr(n int) *int { return &n }

// checkEIC checks one FunctionEventInvokeConfig object: exactly the keys
// of lambda-api.md §6.2 (unset numbers omitted, DestinationConfig always
// present with {} for an unset side, FunctionArn qualified) and a
// LastModified that is a JSON number of epoch seconds (§1.11).
func checkEIC(t *testing.T, m map[string]any, want eicWant) {
	t.Helper()
	keys := []string{"DestinationConfig", "FunctionArn", "LastModified"}
	if want.retries != nil {
		keys = append(keys, "MaximumRetryAttempts")
	}
	if want.age != nil {
		keys = append(keys, "MaximumEventAgeInSeconds")
	}
	if got := jsonKeys(m); !sameStrings(got, sortedCopy(keys)) {
		t.Errorf("keys %v, want %v (lambda-api.md §6.2); %v", got, sortedCopy(keys), m)
	}
	if m["FunctionArn"] != want.arn { // lambda-api.md §6.2: always qualified
		t.Errorf("FunctionArn %v, want %s", m["FunctionArn"], want.arn)
	}
	num := func(key string, p *int) {
		if p == nil {
			return
		}
		if n, ok := m[key].(json.Number); !ok || n.String() != jsonInt(*p) {
			t.Errorf("%s = %v, want %d", key, m[key], *p)
		}
	}
	num("MaximumRetryAttempts", want.retries)
	num("MaximumEventAgeInSeconds", want.age)
	side := func(v string) map[string]any {
		if v == "" {
			return map[string]any{} // lambda-api.md §6.2: {} when unset
		}
		return map[string]any{"Destination": v}
	}
	wantDC := map[string]any{"OnSuccess": side(want.onSuccess), "OnFailure": side(want.onFailure)}
	if got, _ := json.Marshal(m["DestinationConfig"]); string(got) != mustJSON(t, wantDC) {
		t.Errorf("DestinationConfig %s, want %s", got, mustJSON(t, wantDC))
	}
	// lambda-api.md §1.11: LastModified is a model timestamp, epoch seconds in rest-json.
	lm, ok := m["LastModified"].(json.Number)
	if !ok {
		t.Fatalf("LastModified %v (%T) is not a JSON number", m["LastModified"], m["LastModified"])
	}
	f, err := lm.Float64()
	if err != nil || !strings.Contains(lm.String(), ".") {
		t.Fatalf("LastModified %s is not epoch seconds with a fraction", lm)
	}
	if d := time.Since(time.UnixMilli(int64(f * 1000))); d < -time.Minute || d > 10*time.Minute {
		t.Errorf("LastModified %s is %v away from now", lm, d)
	}
}

func jsonInt(n int) string { b, _ := json.Marshal(n); return string(b) }

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// eicObj decodes a 200 response keeping numbers as json.Number.
func eicObj(t *testing.T, r apiResp) map[string]any {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("status %d, want 200: %s", r.status, clip(r.body))
	}
	d := json.NewDecoder(bytes.NewReader(r.body))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("body: %v: %s", err, clip(r.body))
	}
	return m
}

func wantEIC(t *testing.T, r apiResp, want eicWant) map[string]any {
	t.Helper()
	m := eicObj(t, r)
	checkEIC(t, m, want)
	return m
}

// eicList reads a List response: its configs' FunctionArns and NextMarker.
func eicList(t *testing.T, r apiResp) ([]map[string]any, string) {
	t.Helper()
	m := eicObj(t, r)
	for k := range m {
		if k != "FunctionEventInvokeConfigs" && k != "NextMarker" {
			t.Errorf("list has key %s", k)
		}
	}
	raw, ok := m["FunctionEventInvokeConfigs"].([]any)
	if !ok {
		t.Fatalf("FunctionEventInvokeConfigs missing or not a list: %s", r.body)
	}
	var out []map[string]any
	for _, it := range raw {
		out = append(out, it.(map[string]any))
	}
	next, _ := m["NextMarker"].(string)
	return out, next
}

func arnsOf(items []map[string]any) []string {
	var out []string
	for _, it := range items {
		out = append(out, it["FunctionArn"].(string))
	}
	return out
}

func createAliasTo(t *testing.T, s *server, name, alias, version string) {
	t.Helper()
	if _, err := sdk(s).CreateAlias(context.Background(), &lambda.CreateAliasInput{
		FunctionName: aws.String(name), Name: aws.String(alias), FunctionVersion: aws.String(version),
	}); err != nil {
		t.Fatalf("create alias %s: %v", alias, err)
	}
}

// The lifecycle of lambda-api.md §6.2 (LS test_lambda_eventinvokeconfig_lifecycle
// and the success cases of test_lambda_eventinvokeconfig_exceptions).
func TestEventInvokeConfigLifecycle(t *testing.T) {
	s := sharedServer(t)
	name, other := uniqueName("eic"), uniqueName("eic-dest")
	createFn(t, s, name, echoZip(t, "eic"))
	createFn(t, s, other, echoZip(t, "dest"))
	v1 := publish(t, s, name)
	createAliasTo(t, s, name, "live", v1)
	latest := qARN(name, "$LATEST")
	sqs := "arn:aws:sqs:" + region + ":" + account + ":failures"

	// Put with one setting; unset members are omitted (lambda-api.md §6.2).
	r := signedJSON(t, s, "PUT", eicPath(name, ""), map[string]any{"MaximumRetryAttempts": 0})
	wantEIC(t, r, eicWant{arn: latest, retries: iptr(0)}) // lambda-api.md §6.2
	// Put replaces the whole config: "If you exclude any settings, they are removed" (lambda-api.md §6.2).
	r = signedJSON(t, s, "PUT", eicPath(name, ""), map[string]any{"MaximumEventAgeInSeconds": 60})
	first := wantEIC(t, r, eicWant{arn: latest, age: iptr(60)}) // lambda-api.md §6.2
	// Update merges: only the given settings change (lambda-api.md §6.2).
	time.Sleep(5 * time.Millisecond)
	r = signedJSON(t, s, "POST", eicPath(name, ""), map[string]any{"MaximumRetryAttempts": 1})
	upd := wantEIC(t, r, eicWant{arn: latest, retries: iptr(1), age: iptr(60)}) // lambda-api.md §6.2
	a, _ := first["LastModified"].(json.Number).Float64()
	b, _ := upd["LastModified"].(json.Number).Float64()
	if b <= a {
		t.Errorf("Update did not advance LastModified: %v then %v", a, b)
	}
	// Get, unqualified, with Qualifier=$LATEST and with the :$LATEST suffix: same config.
	for _, p := range []string{eicPath(name, ""), eicPath(name, "$LATEST"), eicPath(name+":$LATEST", ""), eicPath(fnARN(name), "$LATEST")} {
		wantEIC(t, signedCall(t, s, "GET", p, nil, nil), eicWant{arn: latest, retries: iptr(1), age: iptr(60)}) // lambda-api.md §6.2
	}

	// Configs are per qualifier: $LATEST's is not version 1's (lambda-api.md §6.2, §10.1 item 16).
	wantErrMsg(t, signedCall(t, s, "GET", eicPath(name, v1), nil, nil), 404, "ResourceNotFoundException",
		"The function "+qARN(name, v1)+" doesn't have an EventInvokeConfig") // lambda-api.md §6.2
	r = signedJSON(t, s, "PUT", eicPath(name, v1), map[string]any{"MaximumEventAgeInSeconds": 120})
	wantEIC(t, r, eicWant{arn: qARN(name, v1), age: iptr(120)}) // lambda-api.md §6.2
	// The qualifier in the name works like ?Qualifier= (LS put_version_shorthand).
	r = signedJSON(t, s, "PUT", eicPath(name+":"+v1, ""), map[string]any{"MaximumEventAgeInSeconds": 180})
	wantEIC(t, r, eicWant{arn: qARN(name, v1), age: iptr(180)}) // lambda-api.md §6.2

	// An alias, addressed by its ARN, with both destinations.
	r = signedJSON(t, s, "PUT", eicPath(qARN(name, "live"), ""), map[string]any{
		"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 21600,
		"DestinationConfig": map[string]any{"OnSuccess": map[string]any{"Destination": fnARN(other)}, "OnFailure": map[string]any{"Destination": sqs}},
	})
	wantEIC(t, r, eicWant{arn: qARN(name, "live"), retries: iptr(2), age: iptr(21600), onSuccess: fnARN(other), onFailure: sqs}) // lambda-api.md §6.2
	// Kindling: an Update's DestinationConfig changes only the sides it
	// sends; an empty side clears that side.
	r = signedJSON(t, s, "POST", eicPath(name, "live"), map[string]any{"DestinationConfig": map[string]any{"OnFailure": map[string]any{}}})
	wantEIC(t, r, eicWant{arn: qARN(name, "live"), retries: iptr(2), age: iptr(21600), onSuccess: fnARN(other)})
	// A DestinationConfig without an ARN is a setting of its own (LS put_destination_success_no_destination_arn).
	r = signedJSON(t, s, "PUT", eicPath(other, ""), map[string]any{"DestinationConfig": map[string]any{"OnSuccess": map[string]any{}}})
	wantEIC(t, r, eicWant{arn: qARN(other, "$LATEST")}) // lambda-api.md §6.2

	// List: every qualifier's config, $LATEST, versions, aliases.
	items, next := eicList(t, signedCall(t, s, "GET", eicListPath(name, ""), nil, nil))
	if got := strings.Join(arnsOf(items), " "); got != latest+" "+qARN(name, v1)+" "+qARN(name, "live") || next != "" {
		t.Fatalf("list: %s next %q", got, next)
	}
	for _, it := range items {
		if it["FunctionArn"] == latest {
			checkEIC(t, it, eicWant{arn: latest, retries: iptr(1), age: iptr(60)}) // lambda-api.md §6.2
		}
	}
	// Paging with MaxItems and Marker (lambda-api.md §1.9).
	var paged []string
	marker := ""
	for i := 0; i < 5; i++ {
		q := "MaxItems=2"
		if marker != "" {
			q += "&Marker=" + url.QueryEscape(marker)
		}
		page, nm := eicList(t, signedCall(t, s, "GET", eicListPath(name, q), nil, nil))
		if len(page) > 2 {
			t.Fatalf("page of %d with MaxItems=2", len(page))
		}
		paged = append(paged, arnsOf(page)...)
		if marker = nm; marker == "" {
			break
		}
	}
	if strings.Join(paged, " ") != strings.Join(arnsOf(items), " ") {
		t.Fatalf("paged %v, want %v", paged, arnsOf(items))
	}

	// A newly published version starts without a config (lambda-api.md §10.1 item 16).
	updateDescription(t, s, name, "v2")
	v2 := publish(t, s, name)
	wantErrMsg(t, signedCall(t, s, "GET", eicPath(name, v2), nil, nil), 404, "ResourceNotFoundException",
		"The function "+qARN(name, v2)+" doesn't have an EventInvokeConfig") // lambda-api.md §6.2

	// Delete answers 204 with no body; afterwards Get and Delete are 404.
	r = signedCall(t, s, "DELETE", eicPath(name, ""), nil, nil)
	if r.status != 204 || len(r.body) != 0 { // lambda-api.md §6.2: DELETE -> 204
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	wantErrMsg(t, signedCall(t, s, "GET", eicPath(name, ""), nil, nil), 404, "ResourceNotFoundException",
		"The function "+latest+" doesn't have an EventInvokeConfig") // lambda-api.md §6.2
	wantErrMsg(t, signedCall(t, s, "DELETE", eicPath(name, ""), nil, nil), 404, "ResourceNotFoundException",
		"The function "+latest+" doesn't have an EventInvokeConfig") // lambda-api.md §6.2
	// Kindling: deleting an alias or a version drops its config.
	if r := signedCall(t, s, "DELETE", fnPath(name)+"/aliases/live", nil, nil); r.status != 204 {
		t.Fatalf("delete alias: %d %s", r.status, r.body)
	}
	items, _ = eicList(t, signedCall(t, s, "GET", eicListPath(name, ""), nil, nil))
	if got := strings.Join(arnsOf(items), " "); got != qARN(name, v1) {
		t.Fatalf("after deleting the alias: %s", got)
	}
	if r := signedCall(t, s, "DELETE", eicPath(name, v1), nil, nil); r.status != 204 {
		t.Fatalf("delete version config: %d %s", r.status, r.body)
	}
	r = signedCall(t, s, "GET", eicListPath(name, ""), nil, nil)
	if r.status != 200 || string(r.body) != `{"FunctionEventInvokeConfigs":[]}` { // lambda-api.md §6.2
		t.Fatalf("empty list: %d %s", r.status, r.body)
	}
}

// Every error of lambda-api.md §6.2 (LS test_lambda_eventinvokeconfig_exceptions).
func TestEventInvokeConfigErrors(t *testing.T) {
	s := sharedServer(t)
	name := uniqueName("eic-err")
	createFn(t, s, name, echoZip(t, "eic-err"))
	v1 := publish(t, s, name)
	createAliasTo(t, s, name, "live", v1)
	missing := fnARN("doesnotexist")
	retries1 := map[string]any{"MaximumRetryAttempts": 1}

	// Put/Update/List on a missing function, by name and by ARN.
	for _, fn := range []string{"doesnotexist", missing} {
		wantErrMsg(t, signedJSON(t, s, "PUT", eicPath(fn, ""), retries1), 404, "ResourceNotFoundException",
			"The function doesn't exist.") // lambda-api.md §6.2
		wantErrMsg(t, signedJSON(t, s, "POST", eicPath(fn, ""), retries1), 404, "ResourceNotFoundException",
			"The function doesn't exist.") // lambda-api.md §6.2
		wantErrMsg(t, signedCall(t, s, "GET", eicListPath(fn, ""), nil, nil), 404, "ResourceNotFoundException",
			"The function doesn't exist.") // lambda-api.md §6.2
	}
	// ... and on a missing version or alias of an existing function.
	for _, q := range []string{"liveDoesNotExist", "99", "$latest"} {
		wantErrMsg(t, signedJSON(t, s, "PUT", eicPath(name, q), retries1), 404, "ResourceNotFoundException",
			"The function doesn't exist.") // lambda-api.md §6.2
	}

	// Get/Delete without a config, or on a missing function or qualifier.
	wantErrMsg(t, signedCall(t, s, "GET", eicPath("doesnotexist", ""), nil, nil), 404, "ResourceNotFoundException",
		"The function "+missing+":$LATEST doesn't have an EventInvokeConfig") // lambda-api.md §6.2
	wantErrMsg(t, signedCall(t, s, "DELETE", eicPath("doesnotexist", ""), nil, nil), 404, "ResourceNotFoundException",
		"The function "+missing+":$LATEST doesn't have an EventInvokeConfig") // lambda-api.md §6.2
	wantErrMsg(t, signedCall(t, s, "GET", eicPath(name, ""), nil, nil), 404, "ResourceNotFoundException",
		"The function "+qARN(name, "$LATEST")+" doesn't have an EventInvokeConfig") // lambda-api.md §6.2
	wantErrMsg(t, signedCall(t, s, "GET", eicPath(name, "doesnotexist"), nil, nil), 404, "ResourceNotFoundException",
		"The function "+qARN(name, "doesnotexist")+" doesn't have an EventInvokeConfig") // lambda-api.md §6.2
	wantErrMsg(t, signedCall(t, s, "DELETE", eicPath(name, v1), nil, nil), 404, "ResourceNotFoundException",
		"The function "+qARN(name, v1)+" doesn't have an EventInvokeConfig") // lambda-api.md §6.2
	// Update needs an existing config (LS update_eventinvokeconfig_config_doesnotexist_*).
	wantErrMsg(t, signedJSON(t, s, "POST", eicPath(fnARN(name), ""), retries1), 404, "ResourceNotFoundException",
		"The function "+qARN(name, "$LATEST")+" doesn't have an EventInvokeConfig") // lambda-api.md §6.2
	wantErrMsg(t, signedJSON(t, s, "POST", eicPath(qARN(name, "live"), ""), retries1), 404, "ResourceNotFoundException",
		"The function "+qARN(name, "live")+" doesn't have an EventInvokeConfig") // lambda-api.md §6.2

	// No settings: 400, even for a missing function.
	for _, fn := range []string{"doesnotexist", name} {
		for _, method := range []string{"PUT", "POST"} {
			wantErrMsg(t, signedJSON(t, s, method, eicPath(fn, ""), map[string]any{}), 400, "InvalidParameterValueException",
				"You must specify at least one of error handling or destination setting.") // lambda-api.md §6.2
		}
	}
	wantErrMsg(t, signedCall(t, s, "PUT", eicPath(name, ""), nil, nil), 400, "InvalidParameterValueException",
		"You must specify at least one of error handling or destination setting.") // lambda-api.md §6.2

	dc := func(side, arn string) map[string]any {
		return map[string]any{"DestinationConfig": map[string]any{side: map[string]any{"Destination": arn}}}
	}
	// The function as its own destination.
	wantErrMsg(t, signedJSON(t, s, "PUT", eicPath(name, ""), dc("OnSuccess", fnARN(name))), 400, "InvalidParameterValueException",
		"You can't specify the function as a destination for itself.") // lambda-api.md §6.2
	// A destination function that does not exist.
	wantErrMsg(t, signedJSON(t, s, "PUT", eicPath(name, ""), dc("OnSuccess", missing)), 400, "InvalidParameterValueException",
		"The destination ARN "+missing+" is invalid.") // lambda-api.md §6.2
	wantErrMsg(t, signedJSON(t, s, "PUT", eicPath(name, ""), dc("OnFailure", missing)), 400, "InvalidParameterValueException",
		"The destination ARN "+missing+" is invalid.") // lambda-api.md §6.2
	// A destination of a service Lambda does not deliver to.
	iam := strings.Replace(fnARN(name), ":lambda:", ":iam:", 1)
	wantErrMsg(t, signedJSON(t, s, "PUT", eicPath(name, ""), dc("OnSuccess", iam)), 400, "InvalidParameterValueException",
		"The provided destination config DestinationConfig(onSuccess=OnSuccess(destination="+iam+"), onFailure=null) is invalid.") // lambda-api.md §6.2
	// A destination failing the ARN pattern (lambda-api.md §8.2).
	bad := strings.Replace(fnARN(name), ":lambda:", ":_-/!lambda:", 1)
	wantErrMsg(t, signedJSON(t, s, "PUT", eicPath(name, ""), dc("OnFailure", bad)), 400, "ValidationException",
		"1 validation error detected: Value '"+bad+"' at 'destinationConfig.onFailure.destination' failed to satisfy constraint: "+
			`Member must satisfy regular expression pattern: $|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)`) // lambda-api.md §6.2, §8.2

	// Name/qualifier mismatch, before the existence check.
	for _, fn := range []string{name, "doesnotexist"} {
		wantErrMsg(t, signedJSON(t, s, "PUT", eicPath(fn+":"+v1, "$LATEST"), retries1), 400, "InvalidParameterValueException",
			"The derived qualifier from the function name does not match the specified qualifier.") // lambda-api.md §6.2
	}
	wantErrMsg(t, signedCall(t, s, "GET", eicPath(qARN(name, "live"), v1), nil, nil), 400, "InvalidParameterValueException",
		"The derived qualifier from the function name does not match the specified qualifier.") // lambda-api.md §6.2

	// Out of range (lambda-api.md §6.2, §8.3).
	wantErrMsg(t, signedJSON(t, s, "PUT", eicPath(name, ""), map[string]any{"MaximumRetryAttempts": 5}), 400, "ValidationException",
		"1 validation error detected: Value '5' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2") // lambda-api.md §6.2
	wantErrMsg(t, signedJSON(t, s, "POST", eicPath(name, ""), map[string]any{"MaximumEventAgeInSeconds": 44444}), 400, "ValidationException",
		"1 validation error detected: Value '44444' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value less than or equal to 21600") // lambda-api.md §6.2
	wantErrMsg(t, signedJSON(t, s, "PUT", eicPath(name, ""), map[string]any{"MaximumEventAgeInSeconds": 59}), 400, "ValidationException",
		"1 validation error detected: Value '59' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60") // lambda-api.md §8.1, §8.3
	// Constraint failures win over a missing function (lambda-api.md §8.4).
	wantErrMsg(t, signedJSON(t, s, "PUT", eicPath("doesnotexist", ""), map[string]any{"MaximumRetryAttempts": -1}), 400, "ValidationException",
		"1 validation error detected: Value '-1' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value greater than or equal to 0") // lambda-api.md §8.1, §8.3
	// List page size 1-50 (lambda-api.md §6.2).
	wantErrMsg(t, signedCall(t, s, "GET", eicListPath(name, "MaxItems=51"), nil, nil), 400, "ValidationException",
		"1 validation error detected: Value '51' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 50") // lambda-api.md §6.2, §8.3
	wantErrMsg(t, signedCall(t, s, "GET", eicListPath(name, "MaxItems=0"), nil, nil), 400, "ValidationException",
		"1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1") // lambda-api.md §6.2, §8.3

	// None of the refused writes left a config behind.
	r := signedCall(t, s, "GET", eicListPath(name, ""), nil, nil)
	if r.status != 200 || string(r.body) != `{"FunctionEventInvokeConfigs":[]}` {
		t.Fatalf("list after refused writes: %d %s", r.status, r.body)
	}
}

// The lifecycle through the real AWS CLI v2: it must parse every response
// (LastModified is a timestamp it renders as ISO 8601).
func TestEventInvokeConfigAWSCLI(t *testing.T) {
	s := sharedServer(t)
	c := awsCLI(s)
	dir := t.TempDir()
	name, other := uniqueName("eic-cli"), uniqueName("eic-cli-dest")
	createFn(t, s, name, echoZip(t, "eic-cli"))
	createFn(t, s, other, echoZip(t, "eic-cli-dest"))
	latest := qARN(name, "$LATEST")

	decode := func(out string) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("CLI output: %v\n%s", err, out)
		}
		return m
	}
	checkCLI := func(m map[string]any, arn string, retries, age any, onSuccess string) {
		t.Helper()
		if m["FunctionArn"] != arn || m["MaximumRetryAttempts"] != retries || m["MaximumEventAgeInSeconds"] != age { // lambda-api.md §6.2
			t.Fatalf("CLI config %v", m)
		}
		lm, _ := m["LastModified"].(string)
		if ts, err := time.Parse(time.RFC3339Nano, lm); err != nil || time.Since(ts) > 10*time.Minute { // lambda-api.md §1.11
			t.Fatalf("LastModified %q not a recent timestamp: %v", lm, err)
		}
		dc, _ := m["DestinationConfig"].(map[string]any)
		succ, _ := dc["OnSuccess"].(map[string]any)
		if _, ok := dc["OnFailure"].(map[string]any); !ok || succ == nil || (onSuccess == "" && len(succ) != 0) || (onSuccess != "" && succ["Destination"] != onSuccess) {
			t.Fatalf("DestinationConfig %v", m["DestinationConfig"]) // lambda-api.md §6.2
		}
	}

	m := decode(mustRun(t, c, dir, "put-function-event-invoke-config", "--function-name", name, "--maximum-retry-attempts", "0",
		"--maximum-event-age-in-seconds", "300"))
	checkCLI(m, latest, float64(0), float64(300), "")
	m = decode(mustRun(t, c, dir, "update-function-event-invoke-config", "--function-name", name,
		"--destination-config", `{"OnSuccess":{"Destination":"`+fnARN(other)+`"}}`))
	checkCLI(m, latest, float64(0), float64(300), fnARN(other))
	m = decode(mustRun(t, c, dir, "get-function-event-invoke-config", "--function-name", name, "--qualifier", "$LATEST"))
	checkCLI(m, latest, float64(0), float64(300), fnARN(other))
	m = decode(mustRun(t, c, dir, "put-function-event-invoke-config", "--function-name", name, "--maximum-retry-attempts", "1"))
	checkCLI(m, latest, float64(1), nil, "") // lambda-api.md §6.2: Put replaces
	v1 := publish(t, s, name)
	decode(mustRun(t, c, dir, "put-function-event-invoke-config", "--function-name", name+":"+v1, "--maximum-event-age-in-seconds", "60"))
	// The CLI pages through the list itself (lambda-api.md §1.9).
	m = decode(mustRun(t, c, dir, "list-function-event-invoke-configs", "--function-name", name, "--page-size", "1"))
	list, _ := m["FunctionEventInvokeConfigs"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["FunctionArn"] != latest || list[1].(map[string]any)["FunctionArn"] != qARN(name, v1) {
		t.Fatalf("list: %v", m)
	}
	if out := mustRun(t, c, dir, "delete-function-event-invoke-config", "--function-name", name); out != "" {
		t.Fatalf("delete printed %q", out)
	}
	r := c.run(t, dir, "get-function-event-invoke-config", "--function-name", name)
	// lambda-api.md §7.1: the CLI's rendering of the error; a service error exits 254 in v2.
	want := "An error occurred (ResourceNotFoundException) when calling the GetFunctionEventInvokeConfig operation: The function " + latest + " doesn't have an EventInvokeConfig" // lambda-api.md §6.2
	if r.code != 254 || strings.TrimSpace(r.stderr) != want {
		t.Fatalf("get after delete: exit %d, stderr %q", r.code, r.stderr)
	}
	r = c.run(t, dir, "put-function-event-invoke-config", "--function-name", "doesnotexist", "--maximum-retry-attempts", "1")
	if r.code != 254 || !strings.Contains(r.stderr, "(ResourceNotFoundException) when calling the PutFunctionEventInvokeConfig operation: The function doesn't exist.") { // lambda-api.md §6.2
		t.Fatalf("put on a missing function: exit %d, stderr %q", r.code, r.stderr)
	}
}

// The lifecycle through aws-sdk-go-v2, whose deserializer requires
// LastModified to be a JSON number (lambda-api.md §1.11).
func TestEventInvokeConfigSDK(t *testing.T) {
	s := sharedServer(t)
	ctx := context.Background()
	c := sdk(s)
	name, other := uniqueName("eic-sdk"), uniqueName("eic-sdk-dest")
	createFn(t, s, name, echoZip(t, "eic-sdk"))
	createFn(t, s, other, echoZip(t, "eic-sdk-dest"))
	latest := qARN(name, "$LATEST")
	sqs := "arn:aws:sqs:" + region + ":" + account + ":q"
	before := time.Now().Add(-time.Second)

	put, err := c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{
		FunctionName: aws.String(name), MaximumRetryAttempts: aws.Int32(1),
		DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String(sqs)}},
	})
	if err != nil {
		t.Fatalf("put: %v", err)
	}
	if aws.ToString(put.FunctionArn) != latest || aws.ToInt32(put.MaximumRetryAttempts) != 1 || put.MaximumEventAgeInSeconds != nil || // lambda-api.md §6.2
		put.DestinationConfig == nil || aws.ToString(put.DestinationConfig.OnFailure.Destination) != sqs || put.DestinationConfig.OnSuccess == nil ||
		put.DestinationConfig.OnSuccess.Destination != nil {
		t.Fatalf("put output %+v", put)
	}
	if put.LastModified == nil || put.LastModified.Before(before) || time.Since(*put.LastModified) > time.Minute { // lambda-api.md §1.11
		t.Fatalf("LastModified %v", put.LastModified)
	}

	upd, err := c.UpdateFunctionEventInvokeConfig(ctx, &lambda.UpdateFunctionEventInvokeConfigInput{
		FunctionName: aws.String(name), MaximumEventAgeInSeconds: aws.Int32(3600),
		DestinationConfig: &types.DestinationConfig{OnSuccess: &types.OnSuccess{Destination: aws.String(fnARN(other))}},
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if aws.ToInt32(upd.MaximumRetryAttempts) != 1 || aws.ToInt32(upd.MaximumEventAgeInSeconds) != 3600 || // lambda-api.md §6.2: merged
		aws.ToString(upd.DestinationConfig.OnSuccess.Destination) != fnARN(other) || aws.ToString(upd.DestinationConfig.OnFailure.Destination) != sqs ||
		upd.LastModified.Before(*put.LastModified) {
		t.Fatalf("update output %+v", upd)
	}

	get, err := c.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String(name)})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if aws.ToString(get.FunctionArn) != latest || !get.LastModified.Equal(*upd.LastModified) || aws.ToInt32(get.MaximumEventAgeInSeconds) != 3600 {
		t.Fatalf("get output %+v", get)
	}

	v1 := publish(t, s, name)
	if _, err := c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{
		FunctionName: aws.String(name), Qualifier: aws.String(v1), MaximumRetryAttempts: aws.Int32(0),
	}); err != nil {
		t.Fatalf("put on version: %v", err)
	}
	var arns []string
	p := lambda.NewListFunctionEventInvokeConfigsPaginator(c, &lambda.ListFunctionEventInvokeConfigsInput{FunctionName: aws.String(name), MaxItems: aws.Int32(1)})
	for pages := 0; p.HasMorePages(); pages++ {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		for _, cfg := range page.FunctionEventInvokeConfigs {
			if cfg.LastModified == nil {
				t.Fatalf("list item without LastModified")
			}
			arns = append(arns, aws.ToString(cfg.FunctionArn))
		}
		if pages > 5 {
			t.Fatal("list does not end")
		}
	}
	if strings.Join(arns, " ") != latest+" "+qARN(name, v1) {
		t.Fatalf("listed %v", arns)
	}

	if _, err := c.DeleteFunctionEventInvokeConfig(ctx, &lambda.DeleteFunctionEventInvokeConfigInput{FunctionName: aws.String(name)}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = c.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String(name)})
	if msg := sdkErr(t, err, 404, "ResourceNotFoundException"); msg != "The function "+latest+" doesn't have an EventInvokeConfig" { // lambda-api.md §6.2
		t.Fatalf("get after delete: %q", msg)
	}
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("error is %T, want *types.ResourceNotFoundException", err)
	}
	_, err = c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String(name)})
	if msg := sdkErr(t, err, 400, "InvalidParameterValueException"); msg != "You must specify at least one of error handling or destination setting." { // lambda-api.md §6.2
		t.Fatalf("empty put: %q", msg)
	}
}
