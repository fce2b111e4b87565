package e2e

// Conformance of the function control plane (CreateFunction, GetFunction,
// GetFunctionConfiguration, ListFunctions, UpdateFunctionCode,
// UpdateFunctionConfiguration, DeleteFunction, GetAccountSettings, tags)
// with reference/lambda-api.md. Every expected value cites the section it
// comes from.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// lambda-api.md §1.11: LastModified is like 2020-04-10T19:06:32.563+0000.
var lastModifiedRe = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$`)

func createBody(name string, zip []byte) map[string]any {
	return map[string]any{
		"FunctionName": name,
		"Runtime":      "nodejs20.x",
		"Handler":      "index.handler",
		"Role":         roleARN,
		"Code":         map[string]any{"ZipFile": zip}, // []byte marshals as base64 (§1.3)
	}
}

func TestConformanceCreateFunctionDefaults(t *testing.T) {
	s := sharedServer(t)
	name := uniqueName("defaults")
	zip := echoZip(t, "v1")
	r := signedJSON(t, s, "POST", "/2015-03-31/functions", createBody(name, zip))
	if r.status != 201 { // lambda-api.md §2: CreateFunction -> 201
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	m := r.obj(t)
	// lambda-api.md §3.2: the key set of a minimal zip function's create
	// response (no Environment, VpcConfig, ... and no LastUpdateStatus).
	wantKeys := []string{"Architectures", "CodeSha256", "CodeSize", "Description", "EphemeralStorage", "FunctionArn",
		"FunctionName", "Handler", "LastModified", "LoggingConfig", "MemorySize", "PackageType", "RevisionId", "Role",
		"Runtime", "RuntimeVersionConfig", "SnapStart", "State", "StateReason", "StateReasonCode", "Timeout",
		"TracingConfig", "Version"}
	if got := jsonKeys(m); !sameStrings(got, sortedCopy(wantKeys)) {
		t.Errorf("create response keys\n got  %v\n want %v", got, sortedCopy(wantKeys))
	}
	// lambda-api.md §3.2: defaults and constant values.
	want := map[string]any{
		"Architectures":    []any{"x86_64"},
		"CodeSha256":       codeSha256(zip),
		"CodeSize":         float64(len(zip)),
		"Description":      "",
		"EphemeralStorage": map[string]any{"Size": float64(512)},
		"FunctionArn":      fnARN(name),
		"FunctionName":     name,
		"Handler":          "index.handler",
		"LoggingConfig":    map[string]any{"LogFormat": "Text", "LogGroup": "/aws/lambda/" + name},
		"MemorySize":       float64(128),
		"PackageType":      "Zip",
		"Role":             roleARN,
		"Runtime":          "nodejs20.x",
		"SnapStart":        map[string]any{"ApplyOn": "None", "OptimizationStatus": "Off"},
		"State":            "Pending",
		"StateReason":      "The function is being created.",
		"StateReasonCode":  "Creating",
		"Timeout":          float64(3),
		"TracingConfig":    map[string]any{"Mode": "PassThrough"},
		"Version":          "$LATEST",
	}
	for k, v := range want {
		if !reflect.DeepEqual(m[k], v) {
			t.Errorf("%s = %#v, want %#v", k, m[k], v)
		}
	}
	if lm, _ := m["LastModified"].(string); !lastModifiedRe.MatchString(lm) { // §1.11
		t.Errorf("LastModified = %q", lm)
	}
	rev1, _ := m["RevisionId"].(string)
	if !requestIDRe.MatchString(rev1) { // §3.2: RevisionId is a <uuid>
		t.Errorf("RevisionId = %q, want a UUID", rev1)
	}
	// §3.2 / §5.1: RuntimeVersionArn is arn:aws:lambda:<region>::runtime:<hash>.
	rvc, _ := m["RuntimeVersionConfig"].(map[string]any)
	if arn, _ := rvc["RuntimeVersionArn"].(string); !strings.HasPrefix(arn, "arn:aws:lambda:"+region+"::runtime:") || len(arn) == len("arn:aws:lambda:"+region+"::runtime:") {
		t.Errorf("RuntimeVersionConfig = %v", rvc)
	}

	// lambda-api.md §3.2: after creation, Active + Successful, StateReason
	// gone, and a new RevisionId.
	var cfg map[string]any
	eventually(t, 30*time.Second, "Active", func() bool {
		r := signedCall(t, s, "GET", fnPath(name), nil, nil)
		if r.status != 200 {
			t.Fatalf("get: %d %s", r.status, r.body)
		}
		cfg, _ = r.obj(t)["Configuration"].(map[string]any)
		return cfg["State"] == "Active"
	})
	if cfg["LastUpdateStatus"] != "Successful" {
		t.Errorf("LastUpdateStatus = %v, want Successful", cfg["LastUpdateStatus"])
	}
	for _, k := range []string{"StateReason", "StateReasonCode"} {
		if _, ok := cfg[k]; ok {
			t.Errorf("%s still present after Active: %v", k, cfg[k])
		}
	}
	if cfg["RevisionId"] == rev1 {
		t.Errorf("RevisionId did not change on the Pending->Active transition")
	}

	// lambda-api.md §3.2: Environment is returned only when the request had it.
	name2 := uniqueName("defaults-env")
	body := createBody(name2, zip)
	body["Environment"] = map[string]any{"Variables": map[string]string{"GREETING": "hi"}}
	r = signedJSON(t, s, "POST", "/2015-03-31/functions", body)
	if r.status != 201 {
		t.Fatalf("create with env: %d %s", r.status, r.body)
	}
	if env := r.obj(t)["Environment"]; !reflect.DeepEqual(env, map[string]any{"Variables": map[string]any{"GREETING": "hi"}}) {
		t.Errorf("Environment = %v", env)
	}
	waitSettled(t, s, name2)
	// The variables reach the function.
	if out, _ := invokeEcho(t, s, name2, "", `{}`); out.Greeting == nil || *out.Greeting != "hi" {
		t.Errorf("GREETING in the function = %v", out.Greeting)
	}
}

func TestConformanceCreateFunctionByARN(t *testing.T) {
	s := sharedServer(t)
	zip := echoZip(t, "v1")
	// lambda-api.md §5.1: CreateFunction accepts full and partial ARNs and stores the bare name.
	for _, form := range []func(string) string{fnARN, func(n string) string { return account + ":function:" + n }} {
		name := uniqueName("byarn")
		r := signedJSON(t, s, "POST", "/2015-03-31/functions", createBody(form(name), zip))
		if r.status != 201 {
			t.Fatalf("create %s: %d %s", form(name), r.status, r.body)
		}
		m := r.obj(t)
		if m["FunctionName"] != name || m["FunctionArn"] != fnARN(name) {
			t.Errorf("create by %s: FunctionName %v FunctionArn %v", form(name), m["FunctionName"], m["FunctionArn"])
		}
	}
}

func TestConformanceCreateFunctionPublish(t *testing.T) {
	s := sharedServer(t)
	name := uniqueName("pubcreate")
	out := createFn(t, s, name, echoZip(t, "v1"), func(in *lambda.CreateFunctionInput) { in.Publish = true })
	// lambda-api.md §3.2, §10.1 item 2: Version "1" but an unqualified FunctionArn.
	if aws.ToString(out.Version) != "1" || aws.ToString(out.FunctionArn) != fnARN(name) {
		t.Errorf("Publish=true: Version %q FunctionArn %q", aws.ToString(out.Version), aws.ToString(out.FunctionArn))
	}
	// lambda-api.md §5.3: ListVersionsByFunction then shows $LATEST and 1.
	vs, err := sdk(s).ListVersionsByFunction(context.Background(), &lambda.ListVersionsByFunctionInput{FunctionName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs.Versions {
		got = append(got, aws.ToString(v.Version))
	}
	if !sameStrings(got, []string{"$LATEST", "1"}) {
		t.Errorf("versions %v, want [$LATEST 1]", got)
	}
	// lambda-api.md §10.2 test_publish_version_on_create: a repeated publish returns version 1.
	if v := publish(t, s, name); v != "1" {
		t.Errorf("repeated publish gave %q, want 1", v)
	}
	// The published version is invokable.
	if res, r := invokeEcho(t, s, name, "1", `{}`); res.Version != "1" || r.header.Get("X-Amz-Executed-Version") != "1" {
		t.Errorf("invoke :1 ran version %q / executed %q", res.Version, r.header.Get("X-Amz-Executed-Version"))
	}
}

func TestConformanceCreateFunctionErrors(t *testing.T) {
	s := sharedServer(t)
	zip := echoZip(t, "v1")
	dup := uniqueName("dup")
	if r := signedJSON(t, s, "POST", "/2015-03-31/functions", createBody(dup, zip)); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	// lambda-api.md §7.2: duplicate CreateFunction -> 409 "Function already exist: <name>".
	wantErrMsg(t, signedJSON(t, s, "POST", "/2015-03-31/functions", createBody(dup, zip)), 409,
		"ResourceConflictException", "Function already exist: "+dup)

	long := strings.Repeat("a", 65)
	bigEnv := map[string]string{"LARGE_VAR": strings.Repeat("x", 4097-len(`{"LARGE_VAR":""}`))}
	cases := []struct {
		name   string
		mod    func(b map[string]any)
		status int
		code   string
		msg    string // exact, unless prefix is set
		prefix bool
	}{
		// lambda-api.md §8.3 (expected for this project): memory and timeout over the limit.
		{"memory 20000", func(b map[string]any) { b["MemorySize"] = 20000 }, 400, "ValidationException",
			"1 validation error detected: Value '20000' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240", false},
		{"timeout 901", func(b map[string]any) { b["Timeout"] = 901 }, 400, "ValidationException",
			"1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900", false},
		// lambda-api.md §8.3: the role regex message.
		{"bad role", func(b map[string]any) { b["Role"] = "r1" }, 400, "ValidationException",
			`1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`, false},
		// lambda-api.md §7.2, §10.1 item 4: runtime enum is an IPVE without the "validation error" prefix.
		{"runtime enum", func(b map[string]any) { b["Runtime"] = "PYTHON3.9" }, 400, "InvalidParameterValueException",
			"Value PYTHON3.9 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [", true},
		// lambda-api.md §8.3: two architectures.
		{"two architectures", func(b map[string]any) { b["Architectures"] = []string{"x86_64", "arm64"} }, 400, "ValidationException",
			"1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1", false},
		// lambda-api.md §7.2: reserved environment keys.
		{"reserved env key", func(b map[string]any) {
			b["Environment"] = map[string]any{"Variables": map[string]string{"AWS_REGION": "x"}}
		}, 400, "InvalidParameterValueException",
			"Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION", false},
		// lambda-api.md §8.1, §7.2: 4097 bytes of compact JSON is over the 4 KB limit.
		{"env over 4KB", func(b map[string]any) { b["Environment"] = map[string]any{"Variables": bigEnv} }, 400, "InvalidParameterValueException",
			`Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {"LARGE_VAR":"` + bigEnv["LARGE_VAR"] + `"}`, false},
		// lambda-api.md §7.2: a ZipFile that is not a zip.
		{"invalid zip", func(b map[string]any) { b["Code"] = map[string]any{"ZipFile": []byte("this is not a zip file")} }, 400, "InvalidParameterValueException",
			"Could not unzip uploaded file. Please check your file, then try to upload again.", false},
		// lambda-api.md §7.2: S3 code errors are IPVEs; Kindling has no S3, so any S3 location is refused.
		{"S3 code", func(b map[string]any) { b["Code"] = map[string]any{"S3Bucket": "bucket", "S3Key": "key.zip"} }, 400, "InvalidParameterValueException", "", true},
		// lambda-api.md §5.2, §10.1 item 5: a bare name over 64 characters on create.
		{"name 65 chars", func(b map[string]any) { b["FunctionName"] = long }, 400, "InvalidParameterValueException",
			"1 validation error detected: Value '" + long + "' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64", false},
		// lambda-api.md §5.2: a full ARN over 140 characters.
		{"ARN over 140", func(b map[string]any) { b["FunctionName"] = fnARN(strings.Repeat("b", 100)) }, 400, "ValidationException",
			"1 validation error detected: Value '" + fnARN(strings.Repeat("b", 100)) + "' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 140", false},
		// lambda-api.md §4.5, §10.2 test_function_arns: another region is a 404.
		{"other region", func(b map[string]any) { b["FunctionName"] = "arn:aws:lambda:eu-west-1:" + account + ":function:x" }, 404, "ResourceNotFoundException",
			"Functions from 'eu-west-1' are not reachable in this region ('us-east-1')", false},
		// lambda-api.md §4.5, §10.2 test_function_arns: another account is a 403.
		{"other account", func(b map[string]any) { b["FunctionName"] = "arn:aws:lambda:us-east-1:111111111111:function:x" }, 403, "AccessDeniedException", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := uniqueName("bad")
			b := createBody(name, zip)
			c.mod(b)
			r := signedJSON(t, s, "POST", "/2015-03-31/functions", b)
			msg := wantErr(t, r, c.status, c.code)
			if c.prefix {
				if !strings.HasPrefix(msg, c.msg) {
					t.Errorf("message %q, want prefix %q", msg, c.msg)
				}
			} else if msg != c.msg {
				t.Errorf("message:\n got  %q\n want %q", msg, c.msg)
			}
			if c.name == "runtime enum" && !strings.HasSuffix(msg, "] or be a valid ARN") {
				t.Errorf("runtime message %q lacks the \"or be a valid ARN\" ending (§7.2)", msg)
			}
			// Nothing was created.
			_, err := sdk(s).GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(name)})
			if err == nil {
				t.Errorf("%s exists after a refused create", name)
			}
		})
	}

	// lambda-api.md §8.1: exactly 4096 bytes of environment is accepted.
	okEnv := map[string]string{"LARGE_VAR": strings.Repeat("x", 4096-len(`{"LARGE_VAR":""}`))}
	b := createBody(uniqueName("env4096"), zip)
	b["Environment"] = map[string]any{"Variables": okEnv}
	if r := signedJSON(t, s, "POST", "/2015-03-31/functions", b); r.status != 201 {
		t.Errorf("4096-byte environment: %d %s", r.status, r.body)
	}
}

// qualifierFixture is a function with $LATEST ("v2" code, description
// "latest"), version 1 ("v1" code, description "first") and alias live -> 1.
type qualifierFixture struct {
	name   string
	zip1   []byte
	v1Rev  string
	latest string // $LATEST's RevisionId
}

func newQualifierFixture(t *testing.T, s *server) qualifierFixture {
	f := qualifierFixture{name: uniqueName("qual"), zip1: echoZip(t, "v1")}
	createFn(t, s, f.name, f.zip1, func(in *lambda.CreateFunctionInput) { in.Description = aws.String("first") })
	ctx := context.Background()
	pv, err := sdk(s).PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String(f.name)})
	if err != nil {
		t.Fatal(err)
	}
	f.v1Rev = aws.ToString(pv.RevisionId)
	if _, err := sdk(s).UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(f.name), ZipFile: echoZip(t, "v2")}); err != nil {
		t.Fatal(err)
	}
	waitSettled(t, s, f.name)
	updateDescription(t, s, f.name, "latest")
	if _, err := sdk(s).CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String(f.name), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	f.latest = aws.ToString(waitSettled(t, s, f.name).Configuration.RevisionId)
	return f
}

func TestConformanceGetFunctionQualifiers(t *testing.T) {
	s := sharedServer(t)
	f := newQualifierFixture(t, s)
	name := f.name
	esc := url.PathEscape
	cases := []struct {
		what, path, arn, version, desc string
	}{
		// lambda-api.md §3.2 "FunctionArn qualification": unqualified request -> unqualified ARN.
		{"name", fnPath(name), fnARN(name), "$LATEST", "latest"},
		{"partial ARN", "/2015-03-31/functions/" + esc(account+":function:"+name), fnARN(name), "$LATEST", "latest"},
		{"full ARN", "/2015-03-31/functions/" + esc(fnARN(name)), fnARN(name), "$LATEST", "latest"},
		// §1.2: the CLI's percent-encoding of ':' and '$'.
		{"percent-encoded ARN", "/2015-03-31/functions/" + strings.ReplaceAll(fnARN(name), ":", "%3A"), fnARN(name), "$LATEST", "latest"},
		// §3.2: $LATEST -> ...:$LATEST, from the name or from ?Qualifier.
		{"name:$LATEST", "/2015-03-31/functions/" + name + "%3A%24LATEST", qARN(name, "$LATEST"), "$LATEST", "latest"},
		{"Qualifier=$LATEST", fnPath(name) + "?Qualifier=%24LATEST", qARN(name, "$LATEST"), "$LATEST", "latest"},
		{"both $LATEST", "/2015-03-31/functions/" + name + "%3A%24LATEST?Qualifier=%24LATEST", qARN(name, "$LATEST"), "$LATEST", "latest"},
		// §3.2: a version -> ...:1; §5.3: versions keep their own config.
		{"Qualifier=1", fnPath(name) + "?Qualifier=1", qARN(name, "1"), "1", "first"},
		{"name:1", fnPath(name + ":1"), qARN(name, "1"), "1", "first"},
		{"full ARN:1", "/2015-03-31/functions/" + esc(qARN(name, "1")), qARN(name, "1"), "1", "first"},
		// §3.2, §5.5: an alias -> ...:<alias>, Version the resolved number.
		{"Qualifier=live", fnPath(name) + "?Qualifier=live", qARN(name, "live"), "1", "first"},
		{"alias ARN", "/2015-03-31/functions/" + esc(qARN(name, "live")), qARN(name, "live"), "1", "first"},
	}
	for _, c := range cases {
		t.Run(c.what, func(t *testing.T) {
			for _, suffix := range []string{"", "/configuration"} {
				path, query, _ := strings.Cut(c.path, "?")
				p := path + suffix
				if query != "" {
					p += "?" + query
				}
				r := signedCall(t, s, "GET", p, nil, nil)
				if r.status != 200 {
					t.Fatalf("GET %s: %d %s", p, r.status, r.body)
				}
				m := r.obj(t)
				cfg := m
				if suffix == "" {
					cfg, _ = m["Configuration"].(map[string]any)
				}
				if cfg["FunctionArn"] != c.arn || cfg["Version"] != c.version || cfg["Description"] != c.desc || cfg["FunctionName"] != name {
					t.Errorf("GET %s: FunctionArn %v Version %v Description %v FunctionName %v; want %s %s %s",
						p, cfg["FunctionArn"], cfg["Version"], cfg["Description"], cfg["FunctionName"], c.arn, c.version, c.desc)
				}
				// §3.2: an alias reports that version's RevisionId.
				if c.version == "1" && cfg["RevisionId"] != f.v1Rev {
					t.Errorf("GET %s: RevisionId %v, want version 1's %s", p, cfg["RevisionId"], f.v1Rev)
				}
				if c.version == "$LATEST" && cfg["RevisionId"] != f.latest {
					t.Errorf("GET %s: RevisionId %v, want $LATEST's %s", p, cfg["RevisionId"], f.latest)
				}
			}
		})
	}

	// lambda-api.md §3.2: Code.Location is downloadable; for version 1 it is version 1's zip.
	out, err := sdk(s).GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(name), Qualifier: aws.String("1")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Code.RepositoryType) != "S3" {
		t.Errorf("Code.RepositoryType = %q, want S3", aws.ToString(out.Code.RepositoryType))
	}
	resp, got := httpDo(t, "GET", aws.ToString(out.Code.Location), nil, nil)
	if resp.StatusCode != 200 || !bytes.Equal(got, f.zip1) {
		t.Errorf("Code.Location: %d, %d bytes, equal to the uploaded zip: %v", resp.StatusCode, len(got), bytes.Equal(got, f.zip1))
	}
	// §3.2: Tags and Concurrency are present only when set.
	r := signedCall(t, s, "GET", fnPath(name), nil, nil)
	m := r.obj(t)
	for _, k := range []string{"Tags", "Concurrency"} {
		if _, ok := m[k]; ok {
			t.Errorf("GetFunction has %s without tags/reserved concurrency: %v", k, m[k])
		}
	}
	if got := jsonKeys(m); !sameStrings(got, []string{"Code", "Configuration"}) {
		t.Errorf("GetFunction keys %v, want [Code Configuration]", got)
	}
}

func TestConformanceGetFunctionErrors(t *testing.T) {
	s := sharedServer(t)
	f := newQualifierFixture(t, s)
	name := f.name
	missing := uniqueName("missing")
	long := strings.Repeat("a", 65)
	badName := "my-function:1:2"
	nsRegex := `(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?`
	cases := []struct {
		what, path string
		status     int
		code, msg  string
	}{
		// lambda-api.md §7.2: GetFunction's not-found names the unqualified ARN.
		{"unknown function", fnPath(missing), 404, "ResourceNotFoundException", "Function not found: " + fnARN(missing)},
		// §10.2 test_ops_on_nonexisting_version: ...:1221.
		{"unknown version", fnPath(name) + "?Qualifier=1221", 404, "ResourceNotFoundException", "Function not found: " + qARN(name, "1221")},
		// §5.5: an unknown alias.
		{"unknown alias", fnPath(name) + "?Qualifier=nope", 404, "ResourceNotFoundException", "Function not found: " + qARN(name, "nope")},
		// §5.2: $LATEST is case-sensitive.
		{"$latest", fnPath(name) + "?Qualifier=%24latest", 404, "ResourceNotFoundException", "Function not found: " + qARN(name, "$latest")},
		// §5.2: name suffix and Qualifier disagree -> 400, before the existence check.
		{"mismatch", "/2015-03-31/functions/" + url.PathEscape(qARN(name, "1")) + "?Qualifier=%24LATEST", 400, "InvalidParameterValueException",
			"The derived qualifier from the function name does not match the specified qualifier."},
		{"mismatch on missing function", "/2015-03-31/functions/" + url.PathEscape(qARN(missing, "1")) + "?Qualifier=%24LATEST", 400, "InvalidParameterValueException",
			"The derived qualifier from the function name does not match the specified qualifier."},
		// §5.2: a bare name over 64 characters is a 404 on Get.
		{"name 65 chars", fnPath(long), 404, "ResourceNotFoundException", "Function not found: " + fnARN(long)},
		// §4.5 / §10.2 test_get_function_wrong_region.
		{"other region", "/2015-03-31/functions/" + url.PathEscape("arn:aws:lambda:eu-west-1:"+account+":function:"+name), 404, "ResourceNotFoundException",
			"Functions from 'eu-west-1' are not reachable in this region ('us-east-1')"},
		// §5.2: too many segments -> ValidationException with the NamespacedFunctionName regex (2025 text, §8.2).
		{"malformed name", fnPath(badName), 400, "ValidationException",
			"1 validation error detected: Value '" + badName + "' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: " + nsRegex},
		// §5.2: a missing region, an invalid region, a misspelled $LATEST, an extra segment.
		{"ARN without region", "/2015-03-31/functions/" + url.PathEscape("arn:aws:lambda::"+account+":function:"+name), 400, "ValidationException",
			"1 validation error detected: Value 'arn:aws:lambda::" + account + ":function:" + name + "' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: " + nsRegex},
		{"invalid region", "/2015-03-31/functions/" + url.PathEscape("arn:aws:lambda:invalid-region:"+account+":function:"+name), 400, "ValidationException",
			"1 validation error detected: Value 'arn:aws:lambda:invalid-region:" + account + ":function:" + name + "' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: " + nsRegex},
		{"$LATES", "/2015-03-31/functions/" + url.PathEscape(name+":$LATES"), 400, "ValidationException",
			"1 validation error detected: Value '" + name + ":$LATES' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: " + nsRegex},
		{"extra segment", "/2015-03-31/functions/" + url.PathEscape("function:"+name+":$LATEST:extra"), 400, "ValidationException",
			"1 validation error detected: Value 'function:" + name + ":$LATEST:extra' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: " + nsRegex},
		// §5.2: an ARN ending in "function" names a function called "function".
		{"incomplete ARN", "/2015-03-31/functions/" + url.PathEscape("arn:aws:lambda:us-east-1:"+account+":function"), 404, "ResourceNotFoundException",
			"Function not found: " + fnARN("function")},
		// §8.3 grammar with the Qualifier pattern of §8.1.
		{"bad qualifier", fnPath(name) + "?Qualifier=bad.q", 400, "ValidationException",
			`1 validation error detected: Value 'bad.q' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: \$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+`},
		// §10.2 test_function_arns: another account -> 403.
		{"other account", "/2015-03-31/functions/" + url.PathEscape("arn:aws:lambda:us-east-1:111111111111:function:"+name), 403, "AccessDeniedException", ""},
	}
	for _, c := range cases {
		t.Run(c.what, func(t *testing.T) {
			for _, suffix := range []string{"", "/configuration"} {
				path, query, _ := strings.Cut(c.path, "?")
				p := path + suffix
				if query != "" {
					p += "?" + query
				}
				r := signedCall(t, s, "GET", p, nil, nil)
				msg := wantErr(t, r, c.status, c.code)
				if c.msg != "" && msg != c.msg {
					t.Errorf("GET %s:\n got  %q\n want %q", p, msg, c.msg)
				}
			}
		})
	}
	// The SDK sees the same (§1.6: the code from x-amzn-ErrorType, the message from Message).
	_, err := sdk(s).GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(missing)})
	if msg := sdkErr(t, err, 404, "ResourceNotFoundException"); msg != "Function not found: "+fnARN(missing) {
		t.Errorf("SDK message %q", msg)
	}
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || aws.ToString(nf.Type) != "User" {
		t.Errorf("SDK error %T: want *types.ResourceNotFoundException with Type User", err)
	}
}

func TestConformanceListFunctions(t *testing.T) {
	s := sharedServer(t)
	zip := echoZip(t, "v1")
	prefix := uniqueName("list")
	names := []string{prefix + "-a", prefix + "-b", prefix + "-c"}
	for i, n := range names {
		createFn(t, s, n, zip, func(in *lambda.CreateFunctionInput) { in.Publish = i == 0 })
	}
	// lambda-api.md §1.9: pages of MaxItems with NextMarker, omitted (or
	// null/"") on the last page.
	seen := map[string]int{}
	marker := ""
	pages := 0
	for {
		p := "/2015-03-31/functions?MaxItems=2"
		if marker != "" {
			p += "&Marker=" + url.QueryEscape(marker)
		}
		r := signedCall(t, s, "GET", p, nil, nil)
		if r.status != 200 {
			t.Fatalf("list: %d %s", r.status, r.body)
		}
		m := r.obj(t)
		fns, _ := m["Functions"].([]any)
		if len(fns) > 2 {
			t.Fatalf("page of %d with MaxItems=2", len(fns))
		}
		for _, e := range fns {
			c := e.(map[string]any)
			n, _ := c["FunctionName"].(string)
			seen[n]++
			if strings.HasPrefix(n, prefix) {
				// §3.2: list entries omit State, StateReason(Code), LastUpdateStatus*, RuntimeVersionConfig.
				for _, k := range []string{"State", "StateReason", "StateReasonCode", "LastUpdateStatus", "LastUpdateStatusReason", "LastUpdateStatusReasonCode", "RuntimeVersionConfig"} {
					if _, ok := c[k]; ok {
						t.Errorf("list entry %s has %s", n, k)
					}
				}
				// §3.2: the default list has unqualified ARNs and $LATEST entries.
				if c["FunctionArn"] != fnARN(n) || c["Version"] != "$LATEST" {
					t.Errorf("list entry %s: FunctionArn %v Version %v", n, c["FunctionArn"], c["Version"])
				}
			}
		}
		pages++
		next, present := m["NextMarker"]
		if !present || next == nil || next == "" {
			break
		}
		marker, _ = next.(string)
		if pages > 1000 {
			t.Fatal("ListFunctions does not end")
		}
	}
	for _, n := range names {
		if seen[n] != 1 { // §3.2: one entry per function
			t.Errorf("%s listed %d times over %d pages", n, seen[n], pages)
		}
	}
	// The SDK paginator sees the same set.
	pg := lambda.NewListFunctionsPaginator(sdk(s), &lambda.ListFunctionsInput{MaxItems: aws.Int32(1)})
	count := map[string]int{}
	for pg.HasMorePages() {
		out, err := pg.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range out.Functions {
			count[aws.ToString(c.FunctionName)]++
		}
	}
	for _, n := range names {
		if count[n] != 1 {
			t.Errorf("SDK paginator: %s listed %d times", n, count[n])
		}
	}

	// lambda-api.md §3.2: FunctionVersion=ALL lists $LATEST as ...:$LATEST plus each version.
	arns := map[string]bool{}
	marker = ""
	for {
		p := "/2015-03-31/functions?FunctionVersion=ALL&MaxItems=50"
		if marker != "" {
			p += "&Marker=" + url.QueryEscape(marker)
		}
		r := signedCall(t, s, "GET", p, nil, nil)
		if r.status != 200 {
			t.Fatalf("list ALL: %d %s", r.status, r.body)
		}
		var page struct {
			Functions  []map[string]any
			NextMarker *string
		}
		if err := json.Unmarshal(r.body, &page); err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Functions {
			a, _ := c["FunctionArn"].(string)
			arns[a] = true
		}
		if page.NextMarker == nil || *page.NextMarker == "" {
			break
		}
		marker = *page.NextMarker
	}
	for _, want := range []string{qARN(names[0], "$LATEST"), qARN(names[0], "1"), qARN(names[1], "$LATEST"), qARN(names[2], "$LATEST")} {
		if !arns[want] {
			t.Errorf("FunctionVersion=ALL lacks %s", want)
		}
	}
	if arns[fnARN(names[0])] {
		t.Errorf("FunctionVersion=ALL has the unqualified ARN %s", fnARN(names[0]))
	}

	// lambda-api.md §1.9: at most 50 items per page, even if MaxItems is larger.
	r := signedCall(t, s, "GET", "/2015-03-31/functions?MaxItems=1000", nil, nil)
	var all struct{ Functions []any }
	if err := json.Unmarshal(r.body, &all); err != nil {
		t.Fatal(err)
	}
	for i := len(all.Functions); i <= 50; i++ { // make sure there are more than 50
		filler := uniqueName("filler")
		if r := signedJSON(t, s, "POST", "/2015-03-31/functions", createBody(filler, zip)); r.status != 201 {
			t.Fatalf("create filler: %d %s", r.status, r.body)
		}
		t.Cleanup(func() { signedCall(t, s, "DELETE", fnPath(filler), nil, nil) }) // keep the shared server's list short
	}
	for _, q := range []string{"?MaxItems=1000", ""} {
		r := signedCall(t, s, "GET", "/2015-03-31/functions"+q, nil, nil)
		var page struct {
			Functions  []any
			NextMarker string
		}
		if err := json.Unmarshal(r.body, &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Functions) != 50 || page.NextMarker == "" {
			t.Errorf("ListFunctions%s over more than 50 functions: %d entries, NextMarker %q; want 50 and a marker", q, len(page.Functions), page.NextMarker)
		}
	}

	// lambda-api.md §3.2: an invalid FunctionVersion.
	wantErrMsg(t, signedCall(t, s, "GET", "/2015-03-31/functions?FunctionVersion=invalid", nil, nil), 400, "ValidationException",
		"1 validation error detected: Value 'invalid' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]")
}

func TestConformanceUpdateFunctionCode(t *testing.T) {
	s := sharedServer(t)
	ctx := context.Background()
	c := sdk(s)
	name := uniqueName("upcode")
	createFn(t, s, name, echoZip(t, "v1"))
	before := waitSettled(t, s, name).Configuration

	// lambda-api.md §3.2: the update response is Active + InProgress with a
	// new RevisionId; the package's hash and size are the new zip's.
	zip2 := echoZip(t, "v2")
	r := signedJSON(t, s, "PUT", fnPath(name)+"/code", map[string]any{"ZipFile": zip2})
	if r.status != 200 {
		t.Fatalf("update code: %d %s", r.status, r.body)
	}
	m := r.obj(t)
	want := map[string]any{"State": "Active", "LastUpdateStatus": "InProgress", "LastUpdateStatusReason": "The function is being created.",
		"LastUpdateStatusReasonCode": "Creating", "CodeSha256": codeSha256(zip2), "CodeSize": float64(len(zip2)),
		"FunctionArn": fnARN(name), "Version": "$LATEST"}
	for k, v := range want {
		if !reflect.DeepEqual(m[k], v) {
			t.Errorf("update code response %s = %v, want %v", k, m[k], v)
		}
	}
	rev := m["RevisionId"]
	if rev == aws.ToString(before.RevisionId) {
		t.Errorf("RevisionId unchanged by UpdateFunctionCode")
	}
	after := waitSettled(t, s, name).Configuration
	if aws.ToString(after.RevisionId) == rev { // §3.2: InProgress->Successful changes it again
		t.Errorf("RevisionId unchanged by the InProgress->Successful transition")
	}
	if res, _ := invokeEcho(t, s, name, "", `{}`); res.Tag != "v2" {
		t.Errorf("after update the function runs %q, want v2", res.Tag)
	}

	// lambda-api.md §5.3: a stale RevisionId -> 412.
	wantErrMsg(t, signedJSON(t, s, "PUT", fnPath(name)+"/code", map[string]any{"ZipFile": zip2, "RevisionId": aws.ToString(before.RevisionId)}),
		412, "PreconditionFailedException",
		"The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
	// The matching RevisionId is accepted.
	if _, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(name), ZipFile: zip2, RevisionId: after.RevisionId}); err != nil {
		t.Errorf("update with the current RevisionId: %v", err)
	}
	cur := waitSettled(t, s, name).Configuration

	// DryRun (lambda-api.md §3.0 member; the model: validate without
	// modifying the code): nothing changes.
	zip3 := echoZip(t, "v3")
	if _, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(name), ZipFile: zip3, DryRun: true}); err != nil {
		t.Errorf("DryRun: %v", err)
	}
	again := waitSettled(t, s, name).Configuration
	if aws.ToString(again.CodeSha256) != codeSha256(zip2) || aws.ToString(again.RevisionId) != aws.ToString(cur.RevisionId) {
		t.Errorf("DryRun changed the function: CodeSha256 %s RevisionId %s -> %s", aws.ToString(again.CodeSha256), aws.ToString(cur.RevisionId), aws.ToString(again.RevisionId))
	}

	// lambda-api.md §5.3: Publish=true answers with the new version's config.
	out, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(name), ZipFile: zip3, Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Version) != "1" || aws.ToString(out.FunctionArn) != qARN(name, "1") || aws.ToString(out.CodeSha256) != codeSha256(zip3) {
		t.Errorf("Publish=true: Version %q FunctionArn %q", aws.ToString(out.Version), aws.ToString(out.FunctionArn))
	}
	waitSettled(t, s, name)
	if res, _ := invokeEcho(t, s, name, "1", `{}`); res.Tag != "v3" {
		t.Errorf("version 1 runs %q, want v3", res.Tag)
	}

	// §7.2: invalid zip; unknown function.
	wantErrMsg(t, signedJSON(t, s, "PUT", fnPath(name)+"/code", map[string]any{"ZipFile": []byte("nope")}), 400,
		"InvalidParameterValueException", "Could not unzip uploaded file. Please check your file, then try to upload again.")
	missing := uniqueName("missing")
	wantErr(t, signedJSON(t, s, "PUT", fnPath(missing)+"/code", map[string]any{"ZipFile": zip2}), 404, "ResourceNotFoundException")
	wantErr(t, signedJSON(t, s, "PUT", fnPath(missing)+"/configuration", map[string]any{"Description": "x"}), 404, "ResourceNotFoundException")
}

func TestConformanceUpdateFunctionConfiguration(t *testing.T) {
	s := sharedServer(t)
	ctx := context.Background()
	c := sdk(s)
	name := uniqueName("upcfg")
	zip := zipOf(t, map[string]string{
		"index.js": echoJS("index"),
		"other.js": echoJS("other"),
	})
	createFn(t, s, name, zip)
	before := waitSettled(t, s, name).Configuration

	in := &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String(name),
		Description:  aws.String("updated"),
		Handler:      aws.String("other.handler"),
		Runtime:      types.RuntimeNodejs22x,
		MemorySize:   aws.Int32(256),
		Timeout:      aws.Int32(10),
		Environment:  &types.Environment{Variables: map[string]string{"GREETING": "hello"}},
	}
	out, err := c.UpdateFunctionConfiguration(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	// lambda-api.md §3.2: the update response shows the new values, InProgress, a new RevisionId.
	if aws.ToString(out.Description) != "updated" || aws.ToString(out.Handler) != "other.handler" || out.Runtime != types.RuntimeNodejs22x ||
		aws.ToInt32(out.MemorySize) != 256 || aws.ToInt32(out.Timeout) != 10 || out.Environment == nil || out.Environment.Variables["GREETING"] != "hello" {
		t.Errorf("update response: %+v", out)
	}
	if out.LastUpdateStatus != types.LastUpdateStatusInProgress || out.State != types.StateActive {
		t.Errorf("update response State %s LastUpdateStatus %s, want Active InProgress", out.State, out.LastUpdateStatus)
	}
	if aws.ToString(out.RevisionId) == aws.ToString(before.RevisionId) {
		t.Errorf("RevisionId unchanged by UpdateFunctionConfiguration")
	}
	// A config-only update keeps the code (§3.2).
	if aws.ToString(out.CodeSha256) != aws.ToString(before.CodeSha256) || out.CodeSize != before.CodeSize {
		t.Errorf("config update changed CodeSha256/CodeSize")
	}
	// lambda-api.md §1.10: the FunctionUpdatedV2 waiter succeeds.
	w := lambda.NewFunctionUpdatedV2Waiter(c, func(o *lambda.FunctionUpdatedV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, time.Second
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, 30*time.Second); err != nil {
		t.Fatalf("function-updated-v2: %v", err)
	}
	got, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Description) != "updated" || aws.ToString(got.Handler) != "other.handler" || got.Runtime != types.RuntimeNodejs22x ||
		aws.ToInt32(got.MemorySize) != 256 || aws.ToInt32(got.Timeout) != 10 || got.Environment.Variables["GREETING"] != "hello" {
		t.Errorf("after the update: %+v", got)
	}
	if aws.ToString(got.RevisionId) == aws.ToString(out.RevisionId) {
		t.Errorf("RevisionId unchanged by the InProgress->Successful transition (§3.2)")
	}
	// The function runs with the new handler and environment.
	res, _ := invokeEcho(t, s, name, "", `{}`)
	if res.Tag != "other" || res.Greeting == nil || *res.Greeting != "hello" {
		t.Errorf("after the update the function ran tag %q greeting %v", res.Tag, res.Greeting)
	}

	// lambda-api.md §3.2: a redundant update still succeeds and bumps RevisionId.
	red, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name), Description: aws.String("updated")})
	if err != nil {
		t.Fatalf("redundant update: %v", err)
	}
	if aws.ToString(red.RevisionId) == aws.ToString(got.RevisionId) {
		t.Errorf("redundant update kept RevisionId")
	}
	cur := waitSettled(t, s, name).Configuration

	p := fnPath(name) + "/configuration"
	// lambda-api.md §8.3 (expected texts) and §7.2.
	wantErrMsg(t, signedJSON(t, s, "PUT", p, map[string]any{"MemorySize": 20000}), 400, "ValidationException",
		"1 validation error detected: Value '20000' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240")
	wantErrMsg(t, signedJSON(t, s, "PUT", p, map[string]any{"Timeout": 901}), 400, "ValidationException",
		"1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900")
	wantErrMsg(t, signedJSON(t, s, "PUT", p, map[string]any{"Environment": map[string]any{"Variables": map[string]string{"AWS_REGION": "x"}}}), 400,
		"InvalidParameterValueException",
		"Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION")
	if msg := wantErr(t, signedJSON(t, s, "PUT", p, map[string]any{"Runtime": "PYTHON3.9"}), 400, "InvalidParameterValueException"); !strings.HasPrefix(msg, "Value PYTHON3.9 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [") {
		t.Errorf("runtime message %q", msg)
	}
	// lambda-api.md §5.3: a stale RevisionId -> 412.
	wantErrMsg(t, signedJSON(t, s, "PUT", p, map[string]any{"Description": "x", "RevisionId": aws.ToString(before.RevisionId)}), 412,
		"PreconditionFailedException",
		"The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
	// None of the refused updates changed anything.
	if now := waitSettled(t, s, name).Configuration; aws.ToString(now.RevisionId) != aws.ToString(cur.RevisionId) || aws.ToString(now.Description) != "updated" {
		t.Errorf("a refused update changed the function: %s %q", aws.ToString(now.RevisionId), aws.ToString(now.Description))
	}
}

func TestConformanceDeleteFunction(t *testing.T) {
	s := sharedServer(t)
	ctx := context.Background()
	c := sdk(s)
	name := uniqueName("del")
	createFn(t, s, name, echoZip(t, "v1"), func(in *lambda.CreateFunctionInput) { in.Publish = true }) // version 1
	updateDescription(t, s, name, "two")
	if v := publish(t, s, name); v != "2" {
		t.Fatalf("second publish = %s", v)
	}
	updateDescription(t, s, name, "three")
	if v := publish(t, s, name); v != "3" {
		t.Fatalf("third publish = %s", v)
	}
	if _, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String(name), Name: aws.String("live"), FunctionVersion: aws.String("2")}); err != nil {
		t.Fatal(err)
	}
	versions := func() []string {
		out, err := c.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		var vs []string
		for _, v := range out.Versions {
			vs = append(vs, aws.ToString(v.Version))
		}
		return vs
	}
	del := func(path string) apiResp { return signedCall(t, s, "DELETE", path, nil, nil) }
	no204 := func(r apiResp, what string) {
		t.Helper()
		if r.status != 204 || len(r.body) != 0 { // §1.12, §5.4: 204, empty body
			t.Errorf("%s: %d %q, want 204 and an empty body", what, r.status, r.body)
		}
	}
	// lambda-api.md §5.4, row by row.
	no204(del(fnPath(name)+"?Qualifier=1"), "delete existing unreferenced version 1")
	if vs := versions(); !sameStrings(vs, []string{"$LATEST", "2", "3"}) {
		t.Errorf("after deleting 1: %v", vs)
	}
	no204(del(fnPath(name)+"?Qualifier=1"), "delete version 1 again")
	no204(del(fnPath(name)+"?Qualifier=99"), "delete a version that never existed")
	no204(del(fnPath(name+":3")), "delete version 3 named in the function name")
	wantErrMsg(t, del(fnPath(name)+"?Qualifier=2"), 409, "ResourceConflictException",
		"Unable to delete version because the following aliases reference it: [live]")
	wantErrMsg(t, del(fnPath(name)+"?Qualifier=%24LATEST"), 400, "InvalidParameterValueException",
		"$LATEST version cannot be deleted without deleting the function.")
	wantErrMsg(t, del(fnPath(name)+"?Qualifier=live"), 400, "InvalidParameterValueException",
		"Deletion of aliases is not currently supported.")
	if vs := versions(); !sameStrings(vs, []string{"$LATEST", "2"}) {
		t.Errorf("after the refused deletes: %v", vs)
	}

	missing := uniqueName("missing")
	// §5.4: $LATEST is refused even when the function does not exist.
	wantErrMsg(t, del(fnPath(missing)+"?Qualifier=%24LATEST"), 400, "InvalidParameterValueException",
		"$LATEST version cannot be deleted without deleting the function.")
	// §5.4: a missing function, with or without a numeric qualifier, names the unqualified ARN.
	wantErrMsg(t, del(fnPath(missing)), 404, "ResourceNotFoundException", "Function not found: "+fnARN(missing))
	wantErrMsg(t, del(fnPath(missing)+"?Qualifier=1"), 404, "ResourceNotFoundException", "Function not found: "+fnARN(missing))
	// §5.2: a 65-character name is a 404 on Delete.
	long := strings.Repeat("d", 65)
	wantErrMsg(t, del(fnPath(long)), 404, "ResourceNotFoundException", "Function not found: "+fnARN(long))

	// §5.4: no qualifier deletes the function with its versions and aliases.
	no204(del("/2015-03-31/functions/"+url.PathEscape(fnARN(name))), "delete the function by ARN")
	wantErrMsg(t, signedCall(t, s, "GET", fnPath(name), nil, nil), 404, "ResourceNotFoundException", "Function not found: "+fnARN(name))
	// §10.2 test_function_lifecycle: delete again -> 404.
	wantErrMsg(t, del(fnPath(name)), 404, "ResourceNotFoundException", "Function not found: "+fnARN(name))
	// The SDK's DeleteFunction accepts the 204.
	_, err := c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(name)})
	sdkErr(t, err, 404, "ResourceNotFoundException")

	// A new function of the same name starts empty: no old versions or aliases.
	createFn(t, s, name, echoZip(t, "again"))
	if vs := versions(); !sameStrings(vs, []string{"$LATEST"}) {
		t.Errorf("recreated function has versions %v", vs)
	}
	al, err := c.ListAliases(ctx, &lambda.ListAliasesInput{FunctionName: aws.String(name)})
	if err != nil || len(al.Aliases) != 0 {
		t.Errorf("recreated function has aliases %v (%v)", al, err)
	}
	if _, err := c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(name)}); err != nil {
		t.Errorf("SDK DeleteFunction: %v", err)
	}
}

func TestConformanceAccountSettings(t *testing.T) {
	s := sharedServer(t)
	get := func() map[string]any {
		r := signedCall(t, s, "GET", "/2016-08-19/account-settings", nil, nil)
		if r.status != 200 {
			t.Fatalf("account settings: %d %s", r.status, r.body)
		}
		return r.obj(t)
	}
	m := get()
	// lambda-api.md §9: exactly these keys.
	if got := jsonKeys(m); !sameStrings(got, []string{"AccountLimit", "AccountUsage"}) {
		t.Fatalf("keys %v", got)
	}
	limit := m["AccountLimit"].(map[string]any)
	usage := m["AccountUsage"].(map[string]any)
	if got := jsonKeys(limit); !sameStrings(got, sortedCopy([]string{"TotalCodeSize", "CodeSizeUnzipped", "CodeSizeZipped", "ConcurrentExecutions", "UnreservedConcurrentExecutions"})) {
		t.Errorf("AccountLimit keys %v", got)
	}
	if got := jsonKeys(usage); !sameStrings(got, []string{"FunctionCount", "TotalCodeSize"}) {
		t.Errorf("AccountUsage keys %v", got)
	}
	// lambda-api.md §8.1: the account limits.
	for k, v := range map[string]float64{"CodeSizeUnzipped": 262144000, "CodeSizeZipped": 52428800, "ConcurrentExecutions": 1000, "TotalCodeSize": 80530636800} {
		if limit[k] != v {
			t.Errorf("AccountLimit.%s = %v, want %v", k, limit[k], v)
		}
	}
	// lambda-api.md §9: usage grows with a created function, not with a config-only update.
	name := uniqueName("acct")
	createFn(t, s, name, echoZip(t, "v1"))
	m2 := get()
	u2 := m2["AccountUsage"].(map[string]any)
	if u2["FunctionCount"].(float64) != usage["FunctionCount"].(float64)+1 {
		t.Errorf("FunctionCount %v -> %v after one create", usage["FunctionCount"], u2["FunctionCount"])
	}
	if u2["TotalCodeSize"].(float64) <= usage["TotalCodeSize"].(float64) {
		t.Errorf("TotalCodeSize %v -> %v after a create", usage["TotalCodeSize"], u2["TotalCodeSize"])
	}
	updateDescription(t, s, name, "config only")
	if u3 := get()["AccountUsage"].(map[string]any); u3["TotalCodeSize"] != u2["TotalCodeSize"] {
		t.Errorf("TotalCodeSize %v -> %v after a config-only update", u2["TotalCodeSize"], u3["TotalCodeSize"])
	}
}

func TestConformanceTags(t *testing.T) {
	s := sharedServer(t)
	ctx := context.Background()
	c := sdk(s)
	name := uniqueName("tags")
	createFn(t, s, name, echoZip(t, "v1"), func(in *lambda.CreateFunctionInput) {
		in.Tags = map[string]string{"a": "1"}
		in.Publish = true
	})
	arn := fnARN(name)
	tagPath := "/2017-03-31/tags/" + url.PathEscape(arn)
	listTags := func() map[string]any {
		r := signedCall(t, s, "GET", tagPath, nil, nil)
		if r.status != 200 {
			t.Fatalf("list tags: %d %s", r.status, r.body)
		}
		m := r.obj(t)
		if got := jsonKeys(m); !sameStrings(got, []string{"Tags"}) { // §9: {"Tags": {...}}
			t.Errorf("ListTags keys %v", got)
		}
		tags, _ := m["Tags"].(map[string]any)
		return tags
	}
	rev := func() string { return aws.ToString(waitSettled(t, s, name).Configuration.RevisionId) }
	// lambda-api.md §9: tags given on create show in ListTags and GetFunction.
	if tags := listTags(); !reflect.DeepEqual(tags, map[string]any{"a": "1"}) {
		t.Errorf("tags after create: %v", tags)
	}
	gf, _ := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	if !reflect.DeepEqual(gf.Tags, map[string]string{"a": "1"}) {
		t.Errorf("GetFunction Tags = %v", gf.Tags)
	}
	r0 := rev()
	// §9: TagResource -> 204, merges and overwrites; §3.2: changes RevisionId.
	r := signedJSON(t, s, "POST", tagPath, map[string]any{"Tags": map[string]string{"b": "2", "a": "one"}})
	if r.status != 204 {
		t.Errorf("TagResource: %d %s", r.status, r.body)
	}
	if tags := listTags(); !reflect.DeepEqual(tags, map[string]any{"a": "one", "b": "2"}) {
		t.Errorf("tags after TagResource: %v", tags)
	}
	r1 := rev()
	if r1 == r0 {
		t.Errorf("TagResource kept RevisionId")
	}
	// §1.4, §9: UntagResource repeats tagKeys; unknown keys are ignored; §10.1 item 9: RevisionId changes.
	r = signedCall(t, s, "DELETE", tagPath+"?tagKeys=a&tagKeys=nope", nil, nil)
	if r.status != 204 {
		t.Errorf("UntagResource: %d %s", r.status, r.body)
	}
	if tags := listTags(); !reflect.DeepEqual(tags, map[string]any{"b": "2"}) {
		t.Errorf("tags after UntagResource: %v", tags)
	}
	if rev() == r1 {
		t.Errorf("UntagResource kept RevisionId")
	}
	// The SDK round trip.
	if _, err := c.UntagResource(ctx, &lambda.UntagResourceInput{Resource: aws.String(arn), TagKeys: []string{"b"}}); err != nil {
		t.Fatal(err)
	}
	lt, err := c.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(arn)})
	if err != nil || len(lt.Tags) != 0 {
		t.Errorf("SDK ListTags after removing all: %v %v", lt, err)
	}
	// §9: no tags -> {"Tags": {}}; §3.2: GetFunction then has no Tags key.
	if tags := listTags(); tags == nil || len(tags) != 0 {
		t.Errorf("ListTags with none: %v", tags)
	}
	if _, ok := signedCall(t, s, "GET", fnPath(name), nil, nil).obj(t)["Tags"]; ok {
		t.Errorf("GetFunction has Tags after all were removed")
	}

	// lambda-api.md §9, §7.2: errors.
	for _, q := range []string{"1", "$LATEST"} {
		p := "/2017-03-31/tags/" + url.PathEscape(qARN(name, q))
		wantErrMsg(t, signedJSON(t, s, "POST", p, map[string]any{"Tags": map[string]string{"x": "y"}}), 400, "InvalidParameterValueException",
			"Tags on function aliases and versions are not supported. Please specify a function ARN.")
		wantErrMsg(t, signedCall(t, s, "GET", p, nil, nil), 400, "InvalidParameterValueException",
			"Tags on function aliases and versions are not supported. Please specify a function ARN.")
	}
	if msg := wantErr(t, signedCall(t, s, "GET", "/2017-03-31/tags/"+url.PathEscape("not-an-arn"), nil, nil), 400, "ValidationException"); !strings.Contains(msg, "at 'resource'") {
		t.Errorf("malformed ARN message %q", msg)
	}
	missing := fnARN(uniqueName("missing"))
	wantErrMsg(t, signedCall(t, s, "GET", "/2017-03-31/tags/"+url.PathEscape(missing), nil, nil), 404, "ResourceNotFoundException", "Function not found: "+missing)
	wantErrMsg(t, signedCall(t, s, "DELETE", tagPath, nil, nil), 400, "ValidationException",
		"1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
	wantErrMsg(t, signedJSON(t, s, "POST", tagPath, map[string]any{"Tags": map[string]string{}}), 400, "InvalidParameterValueException",
		"An error occurred and the request cannot be processed.")
	// §8.1: 50 tags per resource; the 51st fails, also on CreateFunction.
	many := map[string]string{}
	for i := 0; i < 51; i++ {
		many["k"+strconv.Itoa(i)] = "v"
	}
	wantErrMsg(t, signedJSON(t, s, "POST", tagPath, map[string]any{"Tags": many}), 400, "InvalidParameterValueException",
		"Number of tags exceeds resource tag limit.")
	b := createBody(uniqueName("manytags"), echoZip(t, "v1"))
	b["Tags"] = many
	wantErrMsg(t, signedJSON(t, s, "POST", "/2015-03-31/functions", b), 400, "InvalidParameterValueException",
		"Number of tags exceeds resource tag limit.")
}
