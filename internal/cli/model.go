package cli

//go:generate go run ./gen -model gen/botocore -out model_gen.go

import (
	"context"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// shape is one botocore model shape (only what the CLI needs).
type shape struct {
	Name       string
	Type       string // structure, list, map, string, integer, long, boolean, double, blob, timestamp
	Members    []member
	Required   []string
	ListMember string
	MapKey     string
	MapValue   string
	HasMin     bool
	Min        string // literal from the model
	Streaming  bool
	Payload    string
	Enum       []string
}

// member is one structure member, in model order.
type member struct {
	Name             string
	CLIName          string
	Shape            string
	Location         string // "", uri, querystring, header, headers, statusCode
	LocationName     string
	IdempotencyToken bool
	Deprecated       bool
	Doc              string
}

// sdkCall decodes JSON parameters into the SDK input struct and calls the SDK.
type sdkCall func(ctx context.Context, c *lambda.Client, in []byte, optFns ...func(*lambda.Options)) (any, error)

type operation struct {
	Name       string
	CLIName    string
	Method     string
	URI        string
	Input      string
	Output     string
	Doc        string
	Deprecated bool
	Paginator  *paginator
	Call       sdkCall
}

type paginator struct {
	InputToken, OutputToken, LimitKey, ResultKey string
}

type waiter struct {
	Name        string
	CLIName     string
	Operation   string
	Delay       int
	MaxAttempts int
	Doc         string
	Acceptors   []acceptor
}

type acceptor struct {
	State    string
	Matcher  string
	Argument string
	Expected string // JSON literal
}

func shapeOf(name string) *shape { return modelShapes[name] }

func (s *shape) member(name string) *member {
	for i := range s.Members {
		if s.Members[i].Name == name {
			return &s.Members[i]
		}
	}
	return nil
}

func (s *shape) isRequired(name string) bool {
	for _, r := range s.Required {
		if r == name {
			return true
		}
	}
	return false
}

func operationByCLIName(name string) *operation {
	for _, op := range modelOperations {
		if op.CLIName == name {
			return op
		}
	}
	return nil
}

func operationByName(name string) *operation {
	for _, op := range modelOperations {
		if op.Name == name {
			return op
		}
	}
	return nil
}

func waiterByCLIName(name string) *waiter {
	for _, w := range modelWaiters {
		if w.CLIName == name {
			return w
		}
	}
	return nil
}

// commandNames lists every `kindling <command>` the CLI knows, sorted.
func commandNames() []string {
	var names []string
	for _, op := range modelOperations {
		names = append(names, op.CLIName)
	}
	names = append(names, kindlingCommandNames()...)
	sort.Strings(names)
	return append(names, "wait", "help")
}

// hasStreamingOutput reports whether the output has a blob payload, which
// the AWS CLI writes to an `outfile` positional argument (Invoke).
func (op *operation) streamingOutputMember() string {
	if op.Output == "" {
		return ""
	}
	out := shapeOf(op.Output)
	if out.Payload == "" {
		return ""
	}
	if m := out.member(out.Payload); m != nil && shapeOf(m.Shape).Type == "blob" {
		return out.Payload
	}
	return ""
}
