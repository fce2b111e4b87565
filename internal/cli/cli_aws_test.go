package cli

import (
	"strings"
	"testing"
)

// Canned responses. Shapes and values follow /work/shared/reference/lambda-api.md
// (section cited per constant). Members that the AWS CLI 2.9.19 model does not
// know yet (LoggingConfig, added to the model later) are left out of the
// compared responses, because that CLI drops them while we (newer model)
// print them; TestNewerModelMembers covers those.

// §3.2: CreateFunction response recorded against AWS (key set and constants as
// recorded; the placeholders filled in; LoggingConfig omitted, see above).
const createFunctionResponse = `{
  "Architectures": ["x86_64"],
  "CodeSha256": "q6O3v1oXG8kCFAs5GQ9Rmbx7kD5mIN3eT5Z4Gv7lXyI=",
  "CodeSize": 276,
  "Description": "",
  "EphemeralStorage": {"Size": 512},
  "FunctionArn": "arn:aws:lambda:us-east-1:111111111111:function:my-fn",
  "FunctionName": "my-fn",
  "Handler": "handler.handler",
  "LastModified": "2025-11-24T23:08:11.000+0000",
  "MemorySize": 128,
  "PackageType": "Zip",
  "RevisionId": "0a3ed9d5-2b5e-4f0e-9d3c-6a1f1a2b3c4d",
  "Role": "arn:aws:iam::111111111111:role/lambda-role",
  "Runtime": "python3.12",
  "RuntimeVersionConfig": {"RuntimeVersionArn": "arn:aws:lambda:us-east-1::runtime:8eeff65f6809a3ce81507fe733fe09b835899b99481ba22fd75b5a7338290ec1"},
  "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
  "State": "Pending",
  "StateReason": "The function is being created.",
  "StateReasonCode": "Creating",
  "Timeout": 3,
  "TracingConfig": {"Mode": "PassThrough"},
  "Version": "$LATEST"
}`

// §3.2 "After creation completes": State Active, LastUpdateStatus Successful,
// with environment variables (wire order kept) and a non-ASCII description.
const activeConfig = `{
  "FunctionName": "my-fn",
  "FunctionArn": "arn:aws:lambda:us-east-1:111111111111:function:my-fn",
  "Runtime": "python3.12",
  "Role": "arn:aws:iam::111111111111:role/lambda-role",
  "Handler": "handler.handler",
  "CodeSize": 276,
  "Description": "Grüße, 世界 \"quoted\" \\ tab\t",
  "Timeout": 30,
  "MemorySize": 256,
  "LastModified": "2025-11-24T23:08:11.000+0000",
  "CodeSha256": "q6O3v1oXG8kCFAs5GQ9Rmbx7kD5mIN3eT5Z4Gv7lXyI=",
  "Version": "$LATEST",
  "Environment": {"Variables": {"ZETA": "1", "ALPHA": "2", "MIDDLE": "é"}},
  "TracingConfig": {"Mode": "PassThrough"},
  "RevisionId": "5f0c2a8e-1b7d-4c11-9e55-0d3f6c1a9b22",
  "State": "Active",
  "LastUpdateStatus": "Successful",
  "PackageType": "Zip",
  "Architectures": ["x86_64"],
  "EphemeralStorage": {"Size": 512},
  "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
  "Layers": [],
  "SomethingNewerThanTheModel": {"x": 1}
}`

// §3.2 GetFunction: Configuration + Code{Location, RepositoryType} (+ Tags, Concurrency).
var getFunctionResponse = `{"Code": {"Location": "https://awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com/snapshots/111111111111/my-fn?X-Amz-Signature=abc", "RepositoryType": "S3"}, "Concurrency": {"ReservedConcurrentExecutions": 5}, "Tags": {"team": "a", "env": "dev"}, "Configuration": ` + activeConfig + `}`

// §7.1: the 404 envelope.
const notFoundBody = `{"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:111111111111:function:nope"}`

var notFound = reply{status: 404, headers: map[string]string{"x-amzn-ErrorType": "ResourceNotFoundException"}, body: notFoundBody}

// §7.2: InvalidParameterValueException carries a lower-case "message".
var badParam = reply{status: 400, headers: map[string]string{"x-amzn-ErrorType": "InvalidParameterValueException"},
	body: `{"Type":"User","message":"The derived qualifier from the function name does not match the specified qualifier."}`}

func TestGetFunctionConfiguration(t *testing.T) {
	t.Parallel()
	compareWithAWS(t, cliCase{
		args:   []string{"get-function-configuration", "--function-name", "my-fn", "--qualifier", "$LATEST"},
		routes: []route{{"GET /2015-03-31/functions/my-fn/configuration", []reply{{body: activeConfig}}}},
	})
}

func TestGetFunctionNotFound(t *testing.T) {
	t.Parallel()
	compareWithAWS(t, cliCase{
		args:   []string{"get-function", "--function-name", "nope"},
		routes: []route{{"GET /2015-03-31/functions/nope", []reply{notFound}}},
	})
}

func TestInvokeRawPayload(t *testing.T) {
	t.Parallel()
	_, kin := compareWithAWS(t, cliCase{
		args: []string{"invoke", "--function-name", "my-fn", "--cli-binary-format", "raw-in-base64-out",
			"--payload", `{"name":"wörld"}`, "--log-type", "Tail", "{dir}/out.json"},
		routes: []route{{"POST /2015-03-31/functions/my-fn/invocations", []reply{{
			headers: map[string]string{"X-Amz-Executed-Version": "$LATEST", "X-Amz-Log-Result": "U1RBUlQgUmVxdWVzdElkOiAxCg=="},
			body:    `{"greeting": "hello wörld"}`}}}},
		outputs: []string{"out.json"},
	})
	if !strings.Contains(kin.stdout, `"StatusCode": 200`) {
		t.Errorf("unexpected output %q", kin.stdout)
	}
}
