package app

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"

	"github.com/kindling-dev/kindling/internal/awserr"
	"github.com/kindling-dev/kindling/internal/functions"
	"github.com/kindling-dev/kindling/internal/lambda"
)

// demoSource is the walkthrough's function (the Core issue, section 1).
const demoSource = `exports.handler = async (event) => {
  const response = { statusCode: 200, body: JSON.stringify(` + "`Hello ${event.name}!`" + `) };
  return response;
};
`

// createDemo creates the function "hello" unless it exists.
func createDemo(ctx context.Context, fns *functions.Service) error {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, err := zw.Create("index.js")
	if err != nil {
		return fmt.Errorf("demo zip: %w", err)
	}
	if _, err := f.Write([]byte(demoSource)); err != nil {
		return fmt.Errorf("demo zip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("demo zip: %w", err)
	}
	_, err = fns.Create(ctx, &lambda.CreateFunctionInput{
		FunctionName: "hello",
		Runtime:      "nodejs20.x",
		Role:         "arn:aws:iam::" + fns.Account() + ":role/kindling-demo",
		Handler:      "index.handler",
		Code:         &lambda.FunctionCode{ZipFile: buf.Bytes()},
		Description:  "Kindling demo function",
	})
	if awserr.Is(err, awserr.ResourceConflict) {
		return nil
	}
	return err
}
