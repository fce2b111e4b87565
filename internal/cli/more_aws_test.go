package cli

import (
	"net"
	"os"
	"path/filepath"
	"testing"
)

func TestMoreAgainstAWSCLI(t *testing.T) {
	zipDirPath := t.TempDir()
	os.WriteFile(filepath.Join(zipDirPath, "index.py"), []byte("def handler(e, c):\n    return e\n"), 0o644)
	os.MkdirAll(filepath.Join(zipDirPath, "lib"), 0o755)
	os.WriteFile(filepath.Join(zipDirPath, "lib", "util.py"), []byte("X = 1\n"), 0o644)
	os.WriteFile(filepath.Join(zipDirPath, "bootstrap"), []byte("#!/bin/sh\nexec python3 index.py\n"), 0o755)
	zipped, err := zipDir(zipDirPath)
	if err != nil {
		t.Fatal(err)
	}
	// A port with nothing listening.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	deadURL := "http://" + l.Addr().String()
	l.Close()

	retryable := func(status int, code string) reply {
		return reply{status: status, headers: map[string]string{"x-amzn-ErrorType": code}, body: `{"Type":"Service","message":"Rate Exceeded.","Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"}`}
	}
	cases := []cliCase{
		{name: "create-function code-dir", args: []string{"create-function", "--function-name", "my-fn", "--runtime", "provided.al2023",
			"--role", "arn:aws:iam::111111111111:role/r", "--handler", "bootstrap", "--zip-file", "fileb://{dir}/code.zip"},
			kindlingArgs: []string{"create-function", "--function-name", "my-fn", "--runtime", "provided.al2023",
				"--role", "arn:aws:iam::111111111111:role/r", "--handler", "bootstrap", "--code-dir", zipDirPath},
			files:  map[string]string{"code.zip": string(zipped)},
			routes: []route{{"POST /2015-03-31/functions", []reply{json201(createFunctionResponse)}}}},
		{name: "update-function-code code-dir", args: []string{"update-function-code", "--function-name", "my-fn", "--zip-file", "fileb://{dir}/code.zip"},
			kindlingArgs: []string{"update-function-code", "--function-name", "my-fn", "--code-dir", zipDirPath},
			files:        map[string]string{"code.zip": string(zipped)},
			routes:       []route{{"PUT /2015-03-31/functions/my-fn/code", []reply{ok(updatingConfig)}}}},
		{name: "invoke throttled is retried like v2", args: []string{"invoke", "--function-name", "my-fn", "{dir}/o"},
			outputs: []string{"o"},
			routes:  []route{{"POST /2015-03-31/functions/my-fn/invocations", []reply{retryable(429, "TooManyRequestsException")}}}},
		{name: "invoke 500 is retried like v2", args: []string{"invoke", "--function-name", "my-fn", "{dir}/o"},
			outputs: []string{"o"},
			routes: []route{{"POST /2015-03-31/functions/my-fn/invocations", []reply{
				{status: 500, headers: map[string]string{"x-amzn-ErrorType": "ServiceException"}, body: `{"Type":"Service","Message":"internal"}`},
				{status: 200, headers: map[string]string{"X-Amz-Executed-Version": "$LATEST"}, body: `{"ok":true}`}}}}},
		{name: "invoke 502 non-json body", args: []string{"get-function", "--function-name", "my-fn"},
			routes: []route{{"GET /2015-03-31/functions/my-fn", []reply{{status: 400, body: "<html>bad gateway</html>", headers: map[string]string{"Content-Type": "text/html"}}}}}},
		{name: "error code from body", args: []string{"get-function", "--function-name", "my-fn"},
			routes: []route{{"GET /2015-03-31/functions/my-fn", []reply{{status: 409, body: `{"__type":"com.amazon#ResourceConflictException","message":"Function already exist: my-fn"}`}}}}},
		{name: "connection refused", noEndpoint: true, args: []string{"--endpoint-url", deadURL, "get-function", "--function-name", "my-fn"}},
		{name: "no credentials", args: []string{"get-function", "--function-name", "my-fn"},
			env: map[string]string{"AWS_ACCESS_KEY_ID": "<unset>", "AWS_SECRET_ACCESS_KEY": "<unset>"}},
		{name: "profile credentials", args: []string{"--profile", "dev", "get-account-settings"},
			env:    map[string]string{"AWS_ACCESS_KEY_ID": "<unset>", "AWS_SECRET_ACCESS_KEY": "<unset>", "AWS_SHARED_CREDENTIALS_FILE": "{dir}/creds", "AWS_CONFIG_FILE": "{dir}/config"},
			files:  map[string]string{"creds": "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = devsecret\n", "config": "[profile dev]\nregion = eu-west-1\n"},
			routes: []route{{"GET /2016-08-19/account-settings", []reply{ok(accountSettings)}}}},
		{name: "unknown profile", args: []string{"--profile", "nope", "get-account-settings"},
			env:   map[string]string{"AWS_SHARED_CREDENTIALS_FILE": "{dir}/creds", "AWS_CONFIG_FILE": "{dir}/config"},
			files: map[string]string{"creds": "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = devsecret\n", "config": ""}},
		{name: "list-functions text max-items", args: []string{"list-functions", "--output", "text", "--max-items", "1"},
			routes: []route{{"GET /2015-03-31/functions", []reply{ok(page1), ok(page2)}}}},
		{name: "list-functions table", args: []string{"list-functions", "--output", "table"},
			routes: []route{{"GET /2015-03-31/functions", []reply{ok(page1), ok(page2)}}}},
		{name: "list-aliases table narrow", args: []string{"list-aliases", "--function-name", "my-fn", "--output", "table", "--query", "Aliases[].{N:Name,V:FunctionVersion}"},
			routes: []route{{"GET /2015-03-31/functions/my-fn/aliases", []reply{ok(`{"Aliases":[` + aliasConfig + `]}`)}}}},
		{name: "get-account-settings text", args: []string{"get-account-settings", "--output", "text"},
			routes: []route{{"GET /2016-08-19/account-settings", []reply{ok(accountSettings)}}}},
		{name: "query scalar", args: []string{"get-function", "--function-name", "my-fn", "--query", "Configuration.Timeout"},
			routes: []route{{"GET /2015-03-31/functions/my-fn", []reply{ok(getFunctionResponse)}}}},
		{name: "query null", args: []string{"get-function", "--function-name", "my-fn", "--query", "Configuration.Nope"},
			routes: []route{{"GET /2015-03-31/functions/my-fn", []reply{ok(getFunctionResponse)}}}},
		{name: "float weights", args: []string{"get-alias", "--function-name", "my-fn", "--name", "live"},
			routes: []route{{"GET /2015-03-31/functions/my-fn/aliases/live", []reply{ok(`{"Name":"live","RoutingConfig":{"AdditionalVersionWeights":{"2":1,"3":1.0,"4":0.00001,"5":1e16,"6":0.1234567890123}}}`)}}}},
		{name: "config file settings", args: []string{"invoke", "--function-name", "my-fn", "--payload", `{"raw": true}`, "{dir}/o"},
			env:     map[string]string{"AWS_CONFIG_FILE": "{dir}/config"},
			files:   map[string]string{"config": "[default]\ncli_binary_format = raw-in-base64-out\noutput = text\n"},
			outputs: []string{"o"},
			routes:  []route{{"POST /2015-03-31/functions/my-fn/invocations", []reply{{headers: map[string]string{"X-Amz-Executed-Version": "$LATEST"}, body: `{"ok":1}`}}}}},
		{name: "cli-input-json", args: []string{"get-function", "--cli-input-json", `{"FunctionName": "my-fn", "Qualifier": "1"}`, "--qualifier", "2"},
			routes: []route{{"GET /2015-03-31/functions/my-fn", []reply{ok(getFunctionResponse)}}}},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			compareWithAWS(t, c)
		})
	}
}
