package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// More canned bodies (lambda-api.md sections cited).

// §5.3: PublishVersion -> 201 with the version's configuration.
const versionConfig = `{"FunctionName":"my-fn","FunctionArn":"arn:aws:lambda:us-east-1:111111111111:function:my-fn:1","Runtime":"python3.12","Role":"arn:aws:iam::111111111111:role/lambda-role","Handler":"handler.handler","CodeSize":276,"Description":"v1","Timeout":3,"MemorySize":128,"LastModified":"2025-11-24T23:08:11.000+0000","CodeSha256":"q6O3v1oXG8kCFAs5GQ9Rmbx7kD5mIN3eT5Z4Gv7lXyI=","Version":"1","TracingConfig":{"Mode":"PassThrough"},"RevisionId":"7d1c0c8e-6a55-4e4e-8f7b-2d0f1e2a3b4c","State":"Active","LastUpdateStatus":"Successful","PackageType":"Zip","Architectures":["x86_64"],"EphemeralStorage":{"Size":512},"SnapStart":{"ApplyOn":"None","OptimizationStatus":"Off"}}`

// §3.2: UpdateFunctionConfiguration/UpdateFunctionCode response (LastUpdateStatus InProgress).
const updatingConfig = `{"FunctionName":"my-fn","FunctionArn":"arn:aws:lambda:us-east-1:111111111111:function:my-fn","Runtime":"python3.12","Role":"arn:aws:iam::111111111111:role/lambda-role","Handler":"handler.handler","CodeSize":276,"Description":"","Timeout":30,"MemorySize":128,"LastModified":"2025-11-24T23:09:00.000+0000","CodeSha256":"q6O3v1oXG8kCFAs5GQ9Rmbx7kD5mIN3eT5Z4Gv7lXyI=","Version":"$LATEST","Environment":{"Variables":{"A":"1"}},"DeadLetterConfig":{"TargetArn":"arn:aws:sqs:us-east-1:111111111111:dlq"},"TracingConfig":{"Mode":"PassThrough"},"RevisionId":"9a8b7c6d-1111-2222-3333-444455556666","State":"Active","LastUpdateStatus":"InProgress","LastUpdateStatusReason":"The function is being created.","LastUpdateStatusReasonCode":"Creating","PackageType":"Zip","Architectures":["x86_64"],"EphemeralStorage":{"Size":512},"SnapStart":{"ApplyOn":"None","OptimizationStatus":"Off"}}`

// §3.2 list entries are a subset (no State/LastUpdateStatus).
func listEntry(name string) string {
	return `{"FunctionName":"` + name + `","FunctionArn":"arn:aws:lambda:us-east-1:111111111111:function:` + name + `","Runtime":"nodejs20.x","Role":"arn:aws:iam::111111111111:role/r","Handler":"index.handler","CodeSize":300,"Description":"","Timeout":3,"MemorySize":128,"LastModified":"2025-11-24T23:08:11.000+0000","CodeSha256":"abc=","Version":"$LATEST","TracingConfig":{"Mode":"PassThrough"},"RevisionId":"r-` + name + `","PackageType":"Zip","Architectures":["x86_64"],"EphemeralStorage":{"Size":512},"SnapStart":{"ApplyOn":"None","OptimizationStatus":"Off"}}`
}

var (
	page1 = `{"NextMarker":"m1","Functions":[` + listEntry("a") + `,` + listEntry("b") + `]}`
	page2 = `{"Functions":[` + listEntry("c") + `]}`
)

// §5.5: AliasConfiguration, with weighted routing.
const aliasConfig = `{"AliasArn":"arn:aws:lambda:us-east-1:111111111111:function:my-fn:live","Name":"live","FunctionVersion":"1","Description":"","RoutingConfig":{"AdditionalVersionWeights":{"2":0.5}},"RevisionId":"1f2e3d4c-aaaa-bbbb-cccc-ddddeeeeffff"}`

// §6.2: FunctionEventInvokeConfig; LastModified is a model timestamp (epoch seconds).
const eventInvokeConfig = `{"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:sqs:us-east-1:111111111111:failures"},"OnSuccess":{}},"FunctionArn":"arn:aws:lambda:us-east-1:111111111111:function:my-fn:$LATEST","LastModified":1732489691.123,"MaximumRetryAttempts":1}`

// §9 Account settings (exactly these keys).
const accountSettings = `{"AccountLimit":{"TotalCodeSize":80530636800,"CodeSizeUnzipped":262144000,"CodeSizeZipped":52428800,"ConcurrentExecutions":1000,"UnreservedConcurrentExecutions":995},"AccountUsage":{"TotalCodeSize":1234,"FunctionCount":2}}`

// A tiny valid zip (one file "index.py"), made with zipDir.
func testZip(t *testing.T) string {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.py"), []byte("def handler(e, c):\n    return e\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("#!/bin/sh\n"), 0o755)
	b, err := zipDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func json201(body string) reply { return reply{status: 201, body: body} }
func ok(body string) reply      { return reply{status: 200, body: body} }

var noContent = reply{status: 204}

func TestOperationsAgainstAWSCLI(t *testing.T) {
	zipData := testZip(t)
	fnRoute := func(prefix string, r ...reply) []route { return []route{{prefix, r}} }
	cases := []cliCase{
		{name: "create-function zip shorthand", args: []string{"create-function", "--function-name", "my-fn", "--runtime", "python3.12",
			"--role", "arn:aws:iam::111111111111:role/lambda-role", "--handler", "handler.handler", "--zip-file", "fileb://{dir}/code.zip",
			"--environment", "Variables={A=1,B=two words}", "--tags", "team=a,env=dev", "--publish", "--architectures", "x86_64",
			"--timeout", "10", "--memory-size", "256", "--description", "Grüße"},
			files:  map[string]string{"code.zip": zipData},
			routes: fnRoute("POST /2015-03-31/functions", json201(createFunctionResponse))},
		{name: "create-function json and s3 code", args: []string{"create-function", "--function-name", "my-fn", "--runtime", "nodejs20.x",
			"--role", "arn:aws:iam::111111111111:role/lambda-role", "--handler", "index.handler", "--code", "S3Bucket=bucket,S3Key=key.zip",
			"--environment", `{"Variables": {"Z": "1", "A": "2"}}`, "--no-publish", "--tracing-config", "Mode=Active",
			"--ephemeral-storage", "Size=1024", "--layers", "arn:aws:lambda:us-east-1:111111111111:layer:l:1", "arn:aws:lambda:us-east-1:111111111111:layer:m:2"},
			routes: fnRoute("POST /2015-03-31/functions", json201(createFunctionResponse))},
		{name: "create-function ZipFile inside --code", args: []string{"create-function", "--function-name", "f", "--role", "r", "--code", "ZipFile=abc"}},
		{name: "create-function not a zip", args: []string{"create-function", "--function-name", "f", "--role", "r", "--zip-file", "fileb://{dir}/x.txt"},
			files: map[string]string{"x.txt": "not a zip"}},
		{name: "create-function missing code", args: []string{"create-function", "--function-name", "f", "--role", "r"}},
		{name: "create-function validation", args: []string{"create-function", "--function-name", "f", "--role", "r", "--zip-file", "fileb://{dir}/code.zip",
			"--memory-size", "64", "--timeout", "0", "--environment", "Variables={A=1},Foo=3"},
			files: map[string]string{"code.zip": zipData}},
		{name: "get-function", args: []string{"get-function", "--function-name", "my-fn"},
			routes: fnRoute("GET /2015-03-31/functions/my-fn", ok(getFunctionResponse))},
		{name: "get-function arn qualifier", args: []string{"get-function", "--function-name", "arn:aws:lambda:us-east-1:111111111111:function:my-fn:live", "--qualifier", "prod"},
			routes: fnRoute("GET /2015-03-31/functions/", badParam)},
		{name: "get-function-configuration text", args: []string{"get-function-configuration", "--function-name", "my-fn", "--output", "text"},
			routes: fnRoute("GET /2015-03-31/functions/my-fn/configuration", ok(activeConfig))},
		{name: "get-function table", args: []string{"get-function", "--function-name", "my-fn", "--output", "table"},
			routes: fnRoute("GET /2015-03-31/functions/my-fn", ok(getFunctionResponse))},
		{name: "get-function query", args: []string{"get-function", "--function-name", "my-fn", "--query", "{n: Configuration.FunctionName, vars: Configuration.Environment.Variables, arch: Configuration.Architectures[0], t: Tags.team}"},
			routes: fnRoute("GET /2015-03-31/functions/my-fn", ok(getFunctionResponse))},
		{name: "list-functions two pages", args: []string{"list-functions"},
			routes: fnRoute("GET /2015-03-31/functions", ok(page1), ok(page2))},
		{name: "list-functions text two pages", args: []string{"list-functions", "--output", "text"},
			routes: fnRoute("GET /2015-03-31/functions", ok(page1), ok(page2))},
		{name: "list-functions query", args: []string{"list-functions", "--query", "Functions[?Runtime=='nodejs20.x'].FunctionName"},
			routes: fnRoute("GET /2015-03-31/functions", ok(page1), ok(page2))},
		{name: "list-functions max-items truncates", args: []string{"list-functions", "--max-items", "1", "--page-size", "2", "--function-version", "ALL"},
			routes: fnRoute("GET /2015-03-31/functions", ok(page1), ok(page2))},
		{name: "list-functions max-items at page end", args: []string{"list-functions", "--max-items", "2"},
			routes: fnRoute("GET /2015-03-31/functions", ok(page1), ok(page2))},
		{name: "list-functions starting-token", args: []string{"list-functions", "--starting-token", "eyJNYXJrZXIiOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ=="},
			routes: fnRoute("GET /2015-03-31/functions", ok(page1), ok(page2))},
		{name: "list-functions no-paginate", args: []string{"list-functions", "--no-paginate", "--max-items", "2"},
			routes: fnRoute("GET /2015-03-31/functions", ok(page1))},
		{name: "list-functions marker", args: []string{"list-functions", "--marker", "m1"},
			routes: fnRoute("GET /2015-03-31/functions", ok(page2))},
		{name: "list-functions no-paginate with page-size", args: []string{"list-functions", "--no-paginate", "--page-size", "2"}},
		{name: "update-function-code", args: []string{"update-function-code", "--function-name", "my-fn", "--zip-file", "fileb://{dir}/code.zip", "--publish", "--revision-id", "abc"},
			files: map[string]string{"code.zip": zipData}, routes: fnRoute("PUT /2015-03-31/functions/my-fn/code", ok(updatingConfig))},
		{name: "update-function-code not zip", args: []string{"update-function-code", "--function-name", "my-fn", "--zip-file", "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}},
		{name: "update-function-configuration", args: []string{"update-function-configuration", "--function-name", "my-fn",
			"--environment", "Variables={A=1}", "--timeout", "30", "--dead-letter-config", "TargetArn=arn:aws:sqs:us-east-1:111111111111:dlq",
			"--layers", "arn:aws:lambda:us-east-1:111111111111:layer:l:1", "--vpc-config", "SubnetIds=a,b,SecurityGroupIds=sg"},
			routes: fnRoute("PUT /2015-03-31/functions/my-fn/configuration", ok(updatingConfig))},
		{name: "update-function-configuration bad type", args: []string{"update-function-configuration", "--function-name", "my-fn",
			"--environment", `{"Variables": {"A": 1, "B": [true, null]}}`}},
		{name: "delete-function", args: []string{"delete-function", "--function-name", "my-fn", "--qualifier", "1"},
			routes: fnRoute("DELETE /2015-03-31/functions/my-fn", noContent)},
		{name: "publish-version", args: []string{"publish-version", "--function-name", "my-fn", "--description", "v1"},
			routes: fnRoute("POST /2015-03-31/functions/my-fn/versions", json201(versionConfig))},
		{name: "list-versions-by-function", args: []string{"list-versions-by-function", "--function-name", "my-fn"},
			routes: fnRoute("GET /2015-03-31/functions/my-fn/versions", ok(`{"Versions":[`+listEntry("my-fn")+`,`+versionConfig+`]}`))},
		{name: "create-alias", args: []string{"create-alias", "--function-name", "my-fn", "--name", "live", "--function-version", "1",
			"--routing-config", "AdditionalVersionWeights={2=0.5}"},
			routes: fnRoute("POST /2015-03-31/functions/my-fn/aliases", json201(aliasConfig))},
		{name: "get-alias", args: []string{"get-alias", "--function-name", "my-fn", "--name", "live"},
			routes: fnRoute("GET /2015-03-31/functions/my-fn/aliases/live", ok(aliasConfig))},
		{name: "get-alias missing", args: []string{"get-alias", "--function-name", "my-fn", "--name", "gone"},
			routes: fnRoute("GET /2015-03-31/functions/my-fn/aliases/gone", reply{status: 404, headers: map[string]string{"x-amzn-ErrorType": "ResourceNotFoundException"},
				body: `{"Type":"User","Message":"Cannot find alias arn: arn:aws:lambda:us-east-1:111111111111:function:my-fn:gone"}`})},
		{name: "update-alias", args: []string{"update-alias", "--function-name", "my-fn", "--name", "live", "--function-version", "2",
			"--routing-config", `{"AdditionalVersionWeights": {"3": 0.25}}`, "--description", "moved"},
			routes: fnRoute("PUT /2015-03-31/functions/my-fn/aliases/live", ok(aliasConfig))},
		{name: "delete-alias", args: []string{"delete-alias", "--function-name", "my-fn", "--name", "live"},
			routes: fnRoute("DELETE /2015-03-31/functions/my-fn/aliases/live", noContent)},
		{name: "list-aliases", args: []string{"list-aliases", "--function-name", "my-fn", "--function-version", "1"},
			routes: fnRoute("GET /2015-03-31/functions/my-fn/aliases", ok(`{"Aliases":[`+aliasConfig+`]}`))},
		{name: "invoke base64 payload", args: []string{"invoke", "--function-name", "my-fn", "--payload", "eyJhIjogMX0=", "--qualifier", "live",
			"--client-context", "eyJhIjoxfQ==", "{dir}/out.json"},
			outputs: []string{"out.json"},
			routes: fnRoute("POST /2015-03-31/functions/my-fn/invocations", reply{
				headers: map[string]string{"X-Amz-Executed-Version": "1", "X-Amz-Function-Error": "Unhandled"},
				body:    `{"errorMessage": "Handler fails", "errorType": "Exception", "requestId": "r1", "stackTrace": []}`})},
		{name: "invoke file payload raw", args: []string{"invoke", "--function-name", "my-fn", "--cli-binary-format", "raw-in-base64-out",
			"--payload", "file://{dir}/event.json", "{dir}/out.json"},
			files: map[string]string{"event.json": "{\"k\": \"v\"}\r\n"}, outputs: []string{"out.json"},
			routes: fnRoute("POST /2015-03-31/functions/my-fn/invocations", reply{headers: map[string]string{"X-Amz-Executed-Version": "$LATEST"}, body: "null"})},
		{name: "invoke fileb payload", args: []string{"invoke", "--function-name", "my-fn", "--payload", "fileb://{dir}/event.json", "{dir}/out.json"},
			files: map[string]string{"event.json": `{"k": "v"}`}, outputs: []string{"out.json"},
			routes: fnRoute("POST /2015-03-31/functions/my-fn/invocations", reply{headers: map[string]string{"X-Amz-Executed-Version": "$LATEST"}, body: `{"k": "v"}`})},
		{name: "invoke file payload base64 mode", args: []string{"invoke", "--function-name", "my-fn", "--payload", "file://{dir}/event.json", "{dir}/out.json"},
			files: map[string]string{"event.json": `{"k": "v"}`}, outputs: []string{"out.json"}},
		{name: "invoke invalid base64", args: []string{"invoke", "--function-name", "my-fn", "--payload", `{"a":1}`, "{dir}/out.json"},
			outputs: []string{"out.json"}},
		{name: "invoke lenient base64", args: []string{"invoke", "--function-name", "my-fn", "--payload", "eyJhIjogMX0=!!garbage", "{dir}/o"},
			outputs: []string{"o"},
			routes:  fnRoute("POST /2015-03-31/functions/my-fn/invocations", reply{headers: map[string]string{"X-Amz-Executed-Version": "$LATEST"}, body: `{}`})},
		{name: "invoke non-ascii base64", args: []string{"invoke", "--function-name", "my-fn", "--payload", "é", "{dir}/o"}},
		{name: "invoke event", args: []string{"invoke", "--function-name", "my-fn", "--invocation-type", "Event", "--log-type", "None",
			"--cli-binary-format", "raw-in-base64-out", "--payload", `{"a":1}`, "{dir}/out.json"},
			outputs: []string{"out.json"},
			routes:  fnRoute("POST /2015-03-31/functions/my-fn/invocations", reply{status: 202})},
		{name: "invoke dry-run", args: []string{"invoke", "--function-name", "my-fn", "--invocation-type", "DryRun", "{dir}/out.json"},
			outputs: []string{"out.json"},
			routes:  fnRoute("POST /2015-03-31/functions/my-fn/invocations", reply{status: 204})},
		{name: "invoke not found", args: []string{"invoke", "--function-name", "nope", "{dir}/out.json"},
			outputs: []string{"out.json"},
			routes:  fnRoute("POST /2015-03-31/functions/nope/invocations", notFound)},
		{name: "invoke missing outfile", args: []string{"invoke", "--function-name", "my-fn"}, stderrLastLine: true},
		{name: "invoke text output", args: []string{"invoke", "--function-name", "my-fn", "--output", "text", "{dir}/out.json"},
			outputs: []string{"out.json"},
			routes: fnRoute("POST /2015-03-31/functions/my-fn/invocations", reply{
				headers: map[string]string{"X-Amz-Executed-Version": "$LATEST", "X-Amz-Log-Result": "U1RBUlQ="}, body: `"plain"`})},
		{name: "invoke-async", args: []string{"invoke-async", "--function-name", "my-fn", "--invoke-args", "{dir}/event.json"},
			files:  map[string]string{"event.json": `{"async": true}`},
			routes: fnRoute("POST /2014-11-13/functions/my-fn/invoke-async", reply{status: 202, body: `{"Status": 202}`})},
		{name: "invoke-async fileb rejected", args: []string{"invoke-async", "--function-name", "my-fn", "--invoke-args", "fileb://{dir}/event.json"},
			files: map[string]string{"event.json": `{}`}},
		{name: "get-account-settings", args: []string{"get-account-settings"},
			routes: fnRoute("GET /2016-08-19/account-settings", ok(accountSettings))},
		{name: "tag-resource", args: []string{"tag-resource", "--resource", "arn:aws:lambda:us-east-1:111111111111:function:my-fn", "--tags", "team=a,env=dev"},
			routes: fnRoute("POST /2017-03-31/tags/", noContent)},
		{name: "untag-resource", args: []string{"untag-resource", "--resource", "arn:aws:lambda:us-east-1:111111111111:function:my-fn", "--tag-keys", "team", "env"},
			routes: fnRoute("DELETE /2017-03-31/tags/", noContent)},
		{name: "list-tags", args: []string{"list-tags", "--resource", "arn:aws:lambda:us-east-1:111111111111:function:my-fn"},
			routes: fnRoute("GET /2017-03-31/tags/", ok(`{"Tags": {"team": "a", "env": "dev"}}`))},
		{name: "put-function-concurrency", args: []string{"put-function-concurrency", "--function-name", "my-fn", "--reserved-concurrent-executions", "5"},
			routes: fnRoute("PUT /2017-10-31/functions/my-fn/concurrency", ok(`{"ReservedConcurrentExecutions": 5}`))},
		{name: "get-function-concurrency empty", args: []string{"get-function-concurrency", "--function-name", "my-fn"},
			routes: fnRoute("GET /2019-09-30/functions/my-fn/concurrency", ok(`{}`))},
		{name: "get-function-concurrency", args: []string{"get-function-concurrency", "--function-name", "my-fn"},
			routes: fnRoute("GET /2019-09-30/functions/my-fn/concurrency", ok(`{"ReservedConcurrentExecutions": 0}`))},
		{name: "delete-function-concurrency", args: []string{"delete-function-concurrency", "--function-name", "my-fn"},
			routes: fnRoute("DELETE /2017-10-31/functions/my-fn/concurrency", noContent)},
		{name: "put-function-event-invoke-config", args: []string{"put-function-event-invoke-config", "--function-name", "my-fn",
			"--maximum-retry-attempts", "1", "--maximum-event-age-in-seconds", "3600",
			"--destination-config", `{"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:111111111111:failures"}}`},
			routes: fnRoute("PUT /2019-09-25/functions/my-fn/event-invoke-config", ok(eventInvokeConfig))},
		{name: "get-function-event-invoke-config", args: []string{"get-function-event-invoke-config", "--function-name", "my-fn", "--qualifier", "$LATEST"},
			routes: fnRoute("GET /2019-09-25/functions/my-fn/event-invoke-config", ok(eventInvokeConfig))},
		{name: "get-function-event-invoke-config text", args: []string{"get-function-event-invoke-config", "--function-name", "my-fn", "--output", "text"},
			routes: fnRoute("GET /2019-09-25/functions/my-fn/event-invoke-config", ok(eventInvokeConfig))},
		{name: "update-function-event-invoke-config", args: []string{"update-function-event-invoke-config", "--function-name", "my-fn",
			"--destination-config", "OnSuccess={Destination=arn:aws:sqs:us-east-1:111111111111:ok}"},
			routes: fnRoute("POST /2019-09-25/functions/my-fn/event-invoke-config", ok(eventInvokeConfig))},
		{name: "delete-function-event-invoke-config", args: []string{"delete-function-event-invoke-config", "--function-name", "my-fn"},
			routes: fnRoute("DELETE /2019-09-25/functions/my-fn/event-invoke-config", noContent)},
		{name: "list-function-event-invoke-configs", args: []string{"list-function-event-invoke-configs", "--function-name", "my-fn"},
			routes: fnRoute("GET /2019-09-25/functions/my-fn/event-invoke-config/list", ok(`{"FunctionEventInvokeConfigs":[`+eventInvokeConfig+`]}`))},
		{name: "add-permission and policy", args: []string{"add-permission", "--function-name", "my-fn", "--statement-id", "s3", "--action", "lambda:InvokeFunction",
			"--principal", "s3.amazonaws.com", "--source-arn", "arn:aws:s3:::bucket"},
			routes: fnRoute("POST /2015-03-31/functions/my-fn/policy", json201(`{"Statement":"{\"Sid\":\"s3\",\"Effect\":\"Allow\"}"}`))},
		{name: "missing required", args: []string{"get-function"}, stderrLastLine: true},
		{name: "unknown option", args: []string{"get-function", "--function-name", "x", "--bogus", "1"}, stderrLastLine: true},
		{name: "bad int", args: []string{"update-function-configuration", "--function-name", "x", "--timeout", "abc"}},
		{name: "shorthand syntax error", args: []string{"update-function-configuration", "--function-name", "x", "--environment", "Variables={A=1"}},
		{name: "invalid json", args: []string{"update-function-configuration", "--function-name", "x", "--environment", "{\"Variables\": 1}"}},
		{name: "missing paramfile", args: []string{"get-function", "--function-name", "file://{dir}/nope.txt"}},
		{name: "paramfile name", args: []string{"get-function", "--function-name", "file://{dir}/name.txt"},
			files:  map[string]string{"name.txt": "my-fn"},
			routes: fnRoute("GET /2015-03-31/functions/my-fn", ok(getFunctionResponse))},
		{name: "wait function-active-v2", args: []string{"wait", "function-active-v2", "--function-name", "my-fn"},
			routes: fnRoute("GET /2015-03-31/functions/my-fn", ok(getFunctionResponse))},
		{name: "wait function-updated", args: []string{"wait", "function-updated", "--function-name", "my-fn"},
			routes: fnRoute("GET /2015-03-31/functions/my-fn/configuration", ok(activeConfig))},
		{name: "wait function-active", args: []string{"wait", "function-active", "--function-name", "my-fn"},
			routes: fnRoute("GET /2015-03-31/functions/my-fn/configuration", ok(activeConfig))},
		{name: "wait function-updated-v2 failure", args: []string{"wait", "function-updated-v2", "--function-name", "my-fn"},
			routes: fnRoute("GET /2015-03-31/functions/my-fn", ok(strings.Replace(getFunctionResponse, `"LastUpdateStatus": "Successful"`, `"LastUpdateStatus": "Failed"`, 1)))},
		{name: "wait published-version-active", args: []string{"wait", "published-version-active", "--function-name", "my-fn", "--qualifier", "1"},
			routes: fnRoute("GET /2015-03-31/functions/my-fn/configuration", ok(versionConfig))},
		{name: "wait function-exists retries", args: []string{"wait", "function-exists", "--function-name", "my-fn"},
			routes: fnRoute("GET /2015-03-31/functions/my-fn", notFound, ok(getFunctionResponse))},
		{name: "wait function-active-v2 error", args: []string{"wait", "function-active-v2", "--function-name", "nope"},
			routes: fnRoute("GET /2015-03-31/functions/nope", notFound)},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			compareWithAWS(t, c)
		})
	}
}
