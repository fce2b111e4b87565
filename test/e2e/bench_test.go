package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// BenchmarkWarmInvoke measures a warm synchronous invoke of a no-op Node.js
// handler over loopback HTTP at concurrency 1, next to the floor measured
// in the same run: a bare Go HTTP echo round trip. It reports the ratio so
// results compare across noisy machines (docs/PERFORMANCE.md).
func BenchmarkWarmInvoke(b *testing.B) {
	s := sharedServer(b)
	ctx := context.Background()
	name := "bench-noop"
	client := sdk(s)
	if _, err := client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}); err != nil {
		_, err := client.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), Runtime: "nodejs20.x", Handler: aws.String("index.handler"),
			Role: aws.String("arn:aws:iam::000000000000:role/bench"),
			Code: &types.FunctionCode{ZipFile: zipOf(b, map[string]string{"index.js": "exports.handler = async () => ({ok: true});"})},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	url := s.url + "/2015-03-31/functions/" + name + "/invocations"
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	post := func(u string) {
		resp, err := hc.Post(u, "", bytes.NewReader([]byte(`{}`)))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	for i := 0; i < 20; i++ { // warm up: environment started, connections open
		post(url)
	}

	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer echo.Close()
	floor := measure(b.N, func() { post(echo.URL) })

	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		post(url)
	}
	perOp := time.Since(start) / time.Duration(b.N)
	b.StopTimer()
	b.ReportMetric(float64(floor.Microseconds()), "floor-us/op")
	b.ReportMetric(float64(perOp)/float64(floor), "x-floor")
}

func measure(n int, f func()) time.Duration {
	start := time.Now()
	for i := 0; i < n; i++ {
		f()
	}
	return time.Since(start) / time.Duration(n)
}
