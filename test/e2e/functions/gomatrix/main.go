// Command gomatrix is the aws-lambda-go function of the runtime matrix
// (test/e2e/runtimes_matrix_test.go): its event's "op" selects a behaviour.
// It is deployed unchanged on provided.al2023 as "bootstrap".
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Op      string `json:"op"`
	Ms      int    `json:"ms"`
	Code    int    `json:"code"`
	SleepMs int    `json:"sleepMs"`
}

// instance tells processes apart: a fresh process draws a new one.
var instance = func() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}()

// hog keeps what the "oom" op allocates reachable.
var hog [][]byte

func handle(ctx context.Context, e event) (map[string]any, error) {
	out := map[string]any{"instance": instance}
	switch e.Op {
	case "ctx":
		lc, _ := lambdacontext.FromContext(ctx)
		deadline, _ := ctx.Deadline()
		out["requestId"] = lc.AwsRequestID
		out["arn"] = lc.InvokedFunctionArn
		out["version"] = lambdacontext.FunctionVersion
		out["memory"] = lambdacontext.MemoryLimitInMB
		out["functionName"] = lambdacontext.FunctionName
		out["logGroup"] = lambdacontext.LogGroupName
		out["logStream"] = lambdacontext.LogStreamName
		out["remainingMs"] = time.Until(deadline).Milliseconds()
		cc := lc.ClientContext
		if cc.Custom != nil || cc.Env != nil || cc.Client.AppTitle != "" {
			out["clientContext"] = map[string]any{"custom": cc.Custom, "env": cc.Env,
				"client": map[string]string{"app_title": cc.Client.AppTitle}}
		} else {
			out["clientContext"] = nil
		}
	case "env":
		var names []string
		for _, kv := range os.Environ() {
			names = append(names, strings.SplitN(kv, "=", 2)[0])
		}
		sort.Strings(names)
		out["names"] = names
		if v, ok := os.LookupEnv("MATRIX_GREETING"); ok {
			out["greeting"] = v
		}
		if v, ok := os.LookupEnv("AWS_EXECUTION_ENV"); ok {
			out["execEnv"] = v
		}
	case "tmp":
		_, err := os.Stat("/tmp/matrix-mark")
		out["seen"] = err == nil
		_ = os.WriteFile("/tmp/matrix-mark", []byte(instance), 0o600)
		time.Sleep(time.Duration(e.SleepMs) * time.Millisecond)
	case "fail":
		return nil, errors.New("boom matrix")
	case "sleep":
		time.Sleep(time.Duration(e.Ms) * time.Millisecond)
	case "exit":
		os.Exit(e.Code)
	case "oom":
		for {
			b := make([]byte, 16<<20)
			for i := 0; i < len(b); i += 4096 {
				b[i] = 1
			}
			hog = append(hog, b)
		}
	}
	return out, nil
}

func main() {
	if os.Getenv("MATRIX_INIT_FAIL") != "" {
		fmt.Fprintln(os.Stderr, "gomatrix: failing init on purpose")
		os.Exit(1)
	}
	lambda.Start(handle)
}
