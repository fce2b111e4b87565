package e2e

import (
	"testing"
	"time"
)

const initTypeJS = `exports.handler = async () => ({ initType: process.env.AWS_LAMBDA_INITIALIZATION_TYPE, pid: process.pid });`

// Provisioned concurrency on a version or alias keeps that many
// environments initialised, marked AWS_LAMBDA_INITIALIZATION_TYPE=
// provisioned-concurrency (reference/runtime.md §2.1; shapes from the
// model, reference/lambda-api.md §2).
func TestProvisionedConcurrency(t *testing.T) {
	s := sharedServer(t)
	name := uniqueName("prov")
	createFn(t, s, name, zipOf(t, map[string]string{"index.js": initTypeJS}))
	publish(t, s, name)
	if r := signedJSON(t, s, "POST", fnPath(name)+"/aliases", map[string]string{"Name": "live", "FunctionVersion": "1"}); r.status != 201 {
		t.Fatalf("alias: %d %s", r.status, r.body)
	}
	path := "/2019-09-30/functions/" + name + "/provisioned-concurrency"

	r := signedJSON(t, s, "PUT", path+"?Qualifier=live", map[string]int{"ProvisionedConcurrentExecutions": 2})
	if r.status != 202 {
		t.Fatalf("put: %d %s", r.status, r.body)
	}
	m := r.obj(t)
	if m["RequestedProvisionedConcurrentExecutions"] != float64(2) || m["Status"] != "IN_PROGRESS" || m["LastModified"] == nil {
		t.Fatalf("put: %s", r.body)
	}
	eventually(t, 30*time.Second, "provisioned concurrency to be READY", func() bool {
		r := signedCall(t, s, "GET", path+"?Qualifier=live", nil, nil)
		m := r.obj(t)
		return r.status == 200 && m["Status"] == "READY" && m["AllocatedProvisionedConcurrentExecutions"] == float64(2) &&
			m["AvailableProvisionedConcurrentExecutions"] == float64(2)
	})
	inv := invokeRaw(t, s, name, "live", []byte(`{}`), nil)
	if got := inv.obj(t)["initType"]; got != "provisioned-concurrency" {
		t.Fatalf("initialization type %v", got)
	}
	// $LATEST keeps its on-demand environments.
	if got := invokeRaw(t, s, name, "", []byte(`{}`), nil).obj(t)["initType"]; got != "on-demand" {
		t.Fatalf("$LATEST initialization type %v", got)
	}

	l := signedCall(t, s, "GET", path+"?List=ALL", nil, nil)
	items, _ := l.obj(t)["ProvisionedConcurrencyConfigs"].([]any)
	if l.status != 200 || len(items) != 1 || items[0].(map[string]any)["FunctionArn"] != qARN(name, "live") {
		t.Fatalf("list: %d %s", l.status, l.body)
	}
	// The model's error for a qualifier without a configuration.
	wantErr(t, signedCall(t, s, "GET", path+"?Qualifier=1", nil, nil), 404, "ProvisionedConcurrencyConfigNotFoundException")
	wantErr(t, signedJSON(t, s, "PUT", path+"?Qualifier=$LATEST", map[string]int{"ProvisionedConcurrentExecutions": 1}), 400, "InvalidParameterValueException")
	wantErrMsg(t, signedJSON(t, s, "PUT", path+"?Qualifier=nope", map[string]int{"ProvisionedConcurrentExecutions": 1}),
		404, "ResourceNotFoundException", "Function not found: "+qARN(name, "nope"))
	wantErr(t, signedJSON(t, s, "PUT", path+"?Qualifier=live", map[string]int{"ProvisionedConcurrentExecutions": 0}), 400, "ValidationException")

	if r := signedCall(t, s, "DELETE", path+"?Qualifier=live", nil, nil); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	wantErr(t, signedCall(t, s, "GET", path+"?Qualifier=live", nil, nil), 404, "ProvisionedConcurrencyConfigNotFoundException")
}
