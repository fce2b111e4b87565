// Command golambda is a Lambda function written against
// github.com/aws/aws-lambda-go, built by the end-to-end tests and deployed
// unchanged on the provided.al2023 runtime.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Name    string `json:"name"`
	Fail    string `json:"fail"`
	Panic   bool   `json:"panic"`
	SleepMs int    `json:"sleepMs"`
}

type reply struct {
	Greeting      string            `json:"greeting"`
	RequestID     string            `json:"requestId"`
	FunctionArn   string            `json:"functionArn"`
	Function      string            `json:"function"`
	Version       string            `json:"version"`
	MemoryMB      int               `json:"memoryMB"`
	RemainingMs   int64             `json:"remainingMs"`
	ClientCustom  map[string]string `json:"clientCustom"`
	Env           string            `json:"env"`
	Invocations   int               `json:"invocations"`
	TmpSeenBefore bool              `json:"tmpSeenBefore"`
}

var invocations int

func handle(ctx context.Context, e event) (reply, error) {
	invocations++
	if e.Panic {
		panic("boom")
	}
	if e.Fail != "" {
		return reply{}, errors.New(e.Fail)
	}
	if e.SleepMs > 0 {
		time.Sleep(time.Duration(e.SleepMs) * time.Millisecond)
	}
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	_, statErr := os.Stat("/tmp/golambda-mark")
	_ = os.WriteFile("/tmp/golambda-mark", []byte("x"), 0o600)
	fmt.Printf("handling %s\n", lc.AwsRequestID)
	return reply{
		Greeting:      "Hello " + e.Name,
		RequestID:     lc.AwsRequestID,
		FunctionArn:   lc.InvokedFunctionArn,
		Function:      lambdacontext.FunctionName,
		Version:       lambdacontext.FunctionVersion,
		MemoryMB:      lambdacontext.MemoryLimitInMB,
		RemainingMs:   time.Until(deadline).Milliseconds(),
		ClientCustom:  lc.ClientContext.Custom,
		Env:           os.Getenv("GREETING_ENV"),
		Invocations:   invocations,
		TmpSeenBefore: statErr == nil,
	}, nil
}

func main() {
	lambda.StartWithOptions(handle, lambda.WithEnableSIGTERM(func() { fmt.Println("SIGTERM received") }))
}
