package lambda

import (
	"errors"
	"strings"
	"testing"

	"github.com/kindling-dev/kindling/internal/awserr"
)

const (
	refRole = "arn:aws:iam::111111111111:role/lambda-role"
	// lambda-api.md §8.1 Runtime row
	refDeprecatedTmpl = "The runtime parameter of %s is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions."
)

func intp(n int) *int       { return &n }
func strp(s string) *string { return &s }

// validCreate is a minimal CreateFunction body (lambda-api.md §3.2).
func validCreate() *CreateFunctionInput {
	return &CreateFunctionInput{
		FunctionName: "my-function",
		Runtime:      "python3.12",
		Role:         refRole,
		Handler:      "handler.handler",
		Code:         &FunctionCode{ZipFile: []byte("PK")},
	}
}

func veMsg(value, member, constraint string) string {
	// lambda-api.md §8.3 one-failure grammar
	return "1 validation error detected: Value '" + value + "' at '" + member + "' failed to satisfy constraint: " + constraint
}

func TestValidateCreateOK(t *testing.T) {
	if err := ValidateCreate(validCreate()); err != nil {
		t.Fatal(err)
	}
	in := validCreate()
	in.Architectures = []string{"arm64"}
	in.MemorySize, in.Timeout = intp(10240), intp(900)
	in.EphemeralStorage = &EphemeralStorage{Size: 10240}
	in.TracingConfig = &TracingConfig{Mode: "Active"}
	in.LoggingConfig = &LoggingConfig{LogFormat: "JSON", ApplicationLogLevel: "DEBUG", SystemLogLevel: "WARN", LogGroup: "/aws/lambda/x"}
	in.Layers = []string{"arn:aws:lambda:us-east-1:111111111111:layer:l:1"}
	in.Description = strings.Repeat("d", 256)
	if err := ValidateCreate(in); err != nil {
		t.Fatal(err)
	}
	img := &CreateFunctionInput{FunctionName: "img", Role: refRole, PackageType: "Image", Code: &FunctionCode{ImageUri: "repo:tag"}}
	if err := ValidateCreate(img); err != nil {
		t.Fatal(err)
	}
}

func TestValidateCreateValidation(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*CreateFunctionInput)
		msg  string
	}{
		{"role", func(in *CreateFunctionInput) { in.Role = "r1" },
			// lambda-api.md §8.3 example [LS]
			"1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+"},
		{"memory", func(in *CreateFunctionInput) { in.MemorySize = intp(20000) },
			// lambda-api.md §8.3 expected text
			"1 validation error detected: Value '20000' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240"},
		{"memory-low", func(in *CreateFunctionInput) { in.MemorySize = intp(64) },
			veMsg("64", "memorySize", "Member must have value greater than or equal to 128")}, // lambda-api.md §8.1, §8.3
		{"timeout", func(in *CreateFunctionInput) { in.Timeout = intp(901) },
			// lambda-api.md §8.3 expected text
			"1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900"},
		{"timeout-zero", func(in *CreateFunctionInput) { in.Timeout = intp(0) },
			veMsg("0", "timeout", "Member must have value greater than or equal to 1")}, // lambda-api.md §8.1, §8.3
		{"ephemeral", func(in *CreateFunctionInput) { in.EphemeralStorage = &EphemeralStorage{Size: 3000000} },
			// lambda-api.md §8.3 example [moto]
			"1 validation error detected: Value '3000000' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value less than or equal to 10240"},
		{"two-arch", func(in *CreateFunctionInput) { in.Architectures = []string{"x86_64", "arm64"} },
			// lambda-api.md §8.3 example
			"1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1"},
		{"upper-arch", func(in *CreateFunctionInput) { in.Architectures = []string{"X86_64"} },
			// lambda-api.md §8.3 example
			"1 validation error detected: Value '[X86_64]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]"},
		{"description", func(in *CreateFunctionInput) { in.Description = strings.Repeat("d", 257) },
			veMsg(strings.Repeat("d", 257), "description", "Member must have length less than or equal to 256")}, // lambda-api.md §8.1 Description 0-256
		{"handler-space", func(in *CreateFunctionInput) { in.Handler = "index handler" },
			veMsg("index handler", "handler", "Member must satisfy regular expression pattern: [^\\s]+")}, // lambda-api.md §8.1 Handler
		{"handler-vt", func(in *CreateFunctionInput) { in.Handler = "index\vhandler" },
			veMsg("index\vhandler", "handler", "Member must satisfy regular expression pattern: [^\\s]+")}, // lambda-api.md §8.1 Handler (Java \s includes \x0B)
		{"handler-long", func(in *CreateFunctionInput) { in.Handler = strings.Repeat("h", 129) },
			veMsg(strings.Repeat("h", 129), "handler", "Member must have length less than or equal to 128")}, // lambda-api.md §8.1 Handler 0-128
		{"tracing", func(in *CreateFunctionInput) { in.TracingConfig = &TracingConfig{Mode: "Foo"} },
			veMsg("Foo", "tracingConfig.mode", "Member must satisfy enum value set: [Active, PassThrough]")}, // lambda-api.md §3.1, §8.3 grammar
		{"package-type", func(in *CreateFunctionInput) { in.PackageType = "Jar" },
			veMsg("Jar", "packageType", "Member must satisfy enum value set: [Zip, Image]")}, // lambda-api.md §3.1, §8.3 grammar
		{"log-format", func(in *CreateFunctionInput) { in.LoggingConfig = &LoggingConfig{LogFormat: "XML"} },
			veMsg("XML", "loggingConfig.logFormat", "Member must satisfy enum value set: [JSON, Text]")}, // lambda-api.md §3.2 LogFormat, §8.3 grammar
		{"null-role", func(in *CreateFunctionInput) { in.Role = "" },
			"1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null"}, // lambda-api.md §8.3 null rendering
		{"null-code-and-role", func(in *CreateFunctionInput) { in.Role, in.Code = "", nil },
			// lambda-api.md §8.3 several failures joined with "; "
			"2 validation errors detected: Value null at 'role' failed to satisfy constraint: Member must not be null; Value null at 'code' failed to satisfy constraint: Member must not be null"},
		{"memory-and-timeout", func(in *CreateFunctionInput) { in.Timeout, in.MemorySize = intp(901), intp(20000) },
			// lambda-api.md §8.3 several failures
			"2 validation errors detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900; Value '20000' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240"},
		{"invalid-name", func(in *CreateFunctionInput) { in.FunctionName = "invalid:function:name" },
			refRegexMsg("invalid:function:name", refFunctionNamePattern)}, // lambda-api.md §10.2 test_function_arns, §8.2
		{"layer-arn", func(in *CreateFunctionInput) {
			in.Layers = []string{"arn:aws:lambda:us-east-1:111111111111:layer:l:latest"}
		},
			// not in the reference: AWS text quoted in GH aws/aws-cli#8426
			"1 validation error detected: Value '[arn:aws:lambda:us-east-1:111111111111:layer:l:latest]' at 'layers' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+), Member must not be null]"},
		{"env-key", func(in *CreateFunctionInput) { in.Environment = &Environment{Variables: map[string]string{"A": "x"}} },
			// not in the reference: AWS text quoted in GH trek10inc/serverless-secrets#39 (sensitive value not echoed)
			"1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := validCreate()
			c.mod(in)
			wantErr(t, ValidateCreate(in), awserr.Validation, c.msg)
		})
	}
	// lambda-api.md §5.2: full ARN over 140 on CreateFunction
	prefix := "arn:aws:lambda:us-east-1:111111111111:function:"
	in := validCreate()
	in.FunctionName = prefix + strings.Repeat("a", 141-len(prefix))
	wantErr(t, ValidateCreate(in), awserr.Validation,
		"1 validation error detected: Value '"+in.FunctionName+"' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 140")
}

func TestValidateCreateSemantic(t *testing.T) {
	const runtimePrefix = "Value %s at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [nodejs20.x, python3.14, " // lambda-api.md §7.2
	const runtimeSuffix = "] or be a valid ARN"                                                                                               // lambda-api.md §7.2

	// lambda-api.md §7.2 runtime enum (uppercase and unknown, LS test_create_lambda_exceptions)
	for _, rt := range []string{"PYTHON3.9", "non-existent-runtime"} {
		in := validCreate()
		in.Runtime = rt
		e := awserr.As(ValidateCreate(in))
		if e.Code != awserr.InvalidParameterValue || e.NoType ||
			!strings.HasPrefix(e.Message, strings.Replace(runtimePrefix, "%s", rt, 1)) || !strings.HasSuffix(e.Message, runtimeSuffix) {
			t.Errorf("runtime %s: %v", rt, e)
		}
		if strings.Contains(e.Message, "python3.7") || !strings.Contains(e.Message, "python3.9") {
			t.Errorf("runtime list must hold creatable runtimes only: %s", e.Message)
		}
	}

	cases := []struct {
		name string
		mod  func(*CreateFunctionInput)
		msg  string
	}{
		{"deprecated", func(in *CreateFunctionInput) { in.Runtime = "python3.7" },
			strings.Replace(refDeprecatedTmpl, "%s", "python3.7", 1)}, // lambda-api.md §8.1 Runtime row
		{"name-65", func(in *CreateFunctionInput) { in.FunctionName = strings.Repeat("a", 65) },
			// lambda-api.md §5.2 (IPVE on CreateFunction)
			"1 validation error detected: Value '" + strings.Repeat("a", 65) + "' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"reserved-env", func(in *CreateFunctionInput) {
			in.Environment = &Environment{Variables: map[string]string{"AWS_REGION": "x"}}
		},
			// lambda-api.md §7.2
			"Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION"},
		{"tags-51", func(in *CreateFunctionInput) { in.Tags = nTags(51) },
			"Number of tags exceeds resource tag limit."}, // lambda-api.md §8.1 Tags row, §7.2
		{"layers-6", func(in *CreateFunctionInput) { in.Layers = nLayers(6) },
			"Cannot reference more than 5 layers."}, // lambda-api.md §8.1 Layers row, §7.2
		{"layer-two-versions", func(in *CreateFunctionInput) {
			in.Layers = []string{"arn:aws:lambda:us-east-1:111111111111:layer:l:1", "arn:aws:lambda:us-east-1:111111111111:layer:l:2"}
		},
			// lambda-api.md §7.2
			"Two different versions of the same layer are not allowed to be referenced in the same function. arn:aws:lambda:us-east-1:111111111111:layer:l:1 and arn:aws:lambda:us-east-1:111111111111:layer:l:2 are versions of the same layer."},
		{"zip-no-handler", func(in *CreateFunctionInput) { in.Handler = "" },
			// not in the reference: AWS wording (GH pipe-cd/pipecd#1401)
			"Runtime and Handler are mandatory parameters for functions created with deployment packages."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := validCreate()
			c.mod(in)
			wantErr(t, ValidateCreate(in), awserr.InvalidParameterValue, c.msg)
		})
	}
	in := validCreate()
	in.Tags, in.Layers = nTags(50), nLayers(5)
	if err := ValidateCreate(in); err != nil {
		t.Errorf("50 tags and 5 layers must pass: %v", err) // lambda-api.md §8.1
	}
}

func nTags(n int) map[string]string {
	m := map[string]string{}
	for i := 0; i < n; i++ {
		m[strings.Repeat("k", i+1)] = "v"
	}
	return m
}

func nLayers(n int) []string {
	var l []string
	for i := 0; i < n; i++ {
		l = append(l, "arn:aws:lambda:us-east-1:111111111111:layer:l"+strings.Repeat("x", i)+":1")
	}
	return l
}

func TestEnvironmentSize(t *testing.T) {
	// lambda-api.md §8.1: compact JSON {"K":"V"}, 4096 bytes OK, 4097 rejected
	overhead := len(`{"LARGE_VAR":""}`)
	ok := map[string]string{"LARGE_VAR": strings.Repeat("x", 4096-overhead)}
	if err := ValidateEnvironment(ok); err != nil {
		t.Fatalf("4096 bytes: %v", err)
	}
	big := strings.Repeat("x", 4097-overhead)
	// lambda-api.md §7.2 message with "String measured:"
	wantErr(t, ValidateEnvironment(map[string]string{"LARGE_VAR": big}), awserr.InvalidParameterValue,
		`Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {"LARGE_VAR":"`+big+`"}`)

	// lambda-api.md §8.1: several keys, measured with separators
	two := map[string]string{"AB": "1", "CD": "2"}
	if got := EnvironmentJSON(two); got != `{"AB":"1","CD":"2"}` {
		t.Errorf("EnvironmentJSON = %s", got)
	}
	// lambda-api.md §8.1: non-ASCII counts 2-4 bytes (raw UTF-8, not \u escapes)
	if got := EnvironmentJSON(map[string]string{"KEY": "é\n\x01"}); got != "{\"KEY\":\"é\\n\\u0001\"}" {
		t.Errorf("EnvironmentJSON escapes = %s", got)
	}
}

func TestValidateUpdateConfig(t *testing.T) {
	if err := ValidateUpdateConfig(&UpdateFunctionConfigurationInput{}); err != nil {
		t.Fatal(err)
	}
	// lambda-api.md §8.3 role example; §10.2 test_update_lambda_exceptions
	wantErr(t, ValidateUpdateConfig(&UpdateFunctionConfigurationInput{Role: strp("r1")}), awserr.Validation,
		"1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+")
	// lambda-api.md §7.2 runtime enum
	err := ValidateUpdateConfig(&UpdateFunctionConfigurationInput{Runtime: strp("non-existent-runtime")})
	if e := awserr.As(err); e.Code != awserr.InvalidParameterValue ||
		!strings.HasPrefix(e.Message, "Value non-existent-runtime at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [nodejs20.x, python3.14, ") {
		t.Errorf("runtime: %v", err)
	}
	// lambda-api.md §8.1 Runtime row
	wantErr(t, ValidateUpdateConfig(&UpdateFunctionConfigurationInput{Runtime: strp("nodejs12.x")}), awserr.InvalidParameterValue,
		strings.Replace(refDeprecatedTmpl, "%s", "nodejs12.x", 1))
	// lambda-api.md §8.3 expected timeout text
	wantErr(t, ValidateUpdateConfig(&UpdateFunctionConfigurationInput{Timeout: intp(901)}), awserr.Validation,
		"1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900")
	// lambda-api.md §8.1 Layers row
	l := nLayers(6)
	wantErr(t, ValidateUpdateConfig(&UpdateFunctionConfigurationInput{Layers: &l}), awserr.InvalidParameterValue,
		"Cannot reference more than 5 layers.")
	// lambda-api.md §7.2 reserved keys
	wantErr(t, ValidateUpdateConfig(&UpdateFunctionConfigurationInput{Environment: &Environment{Variables: map[string]string{"AWS_SESSION_TOKEN": "x"}}}),
		awserr.InvalidParameterValue,
		"Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_SESSION_TOKEN")
}

func TestValidateUpdateCodeAndPublish(t *testing.T) {
	// lambda-api.md §8.3 architectures example
	wantErr(t, ValidateUpdateCode(&UpdateFunctionCodeInput{Architectures: []string{"x86_64", "arm64"}}), awserr.Validation,
		"1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1")
	if err := ValidateUpdateCode(&UpdateFunctionCodeInput{}); err != nil {
		t.Error(err)
	}
	// lambda-api.md §8.1 Description 0-256
	d := strings.Repeat("d", 257)
	wantErr(t, ValidatePublishVersion(&PublishVersionInput{Description: &d}), awserr.Validation,
		veMsg(d, "description", "Member must have length less than or equal to 256"))
}

func TestRoutingConfig(t *testing.T) {
	rc := func(m map[string]float64) *RoutingConfig { return &RoutingConfig{AdditionalVersionWeights: m} }

	// lambda-api.md §5.5 weight out of range
	wantErr(t, ValidateRoutingConfig("1", rc(map[string]float64{"2": 2.0})), awserr.Validation,
		"1 validation error detected: Value '{2=2.0}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]")
	// lambda-api.md §5.5 key pattern; value rendering '{$LATEST=0.5}' from §8.3
	wantErr(t, ValidateRoutingConfig("1", rc(map[string]float64{"$LATEST": 0.5})), awserr.Validation,
		"1 validation error detected: Value '{$LATEST=0.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]")
	// lambda-api.md §5.5 more than one item
	wantErr(t, ValidateRoutingConfig("1", rc(map[string]float64{"2": 0.1, "3": 0.2})), awserr.InvalidParameterValue,
		"Number of items in AdditionalVersionWeights cannot be greater than 1")
	// lambda-api.md §5.5 same version as primary
	wantErr(t, ValidateRoutingConfig("1", rc(map[string]float64{"1": 0.5})), awserr.InvalidParameterValue,
		"Invalid function version 1. Function version 1 is already included in routing configuration.")
	// lambda-api.md §5.5 $LATEST primary: message without Type
	err := ValidateRoutingConfig("$LATEST", rc(map[string]float64{"1": 0.5}))
	wantErr(t, err, awserr.InvalidParameterValue, "$LATEST is not supported for an alias pointing to more than 1 version")
	body := awserr.As(err).Body()
	if _, hasType := body["Type"]; hasType || body["message"] == nil {
		t.Errorf("body = %v, want message and no Type", body)
	}
	// lambda-api.md §5.5 empty routing config is no routing
	for _, ok := range []*RoutingConfig{nil, rc(nil), rc(map[string]float64{}), rc(map[string]float64{"2": 0.5}), rc(map[string]float64{"2": 0}), rc(map[string]float64{"2": 1})} {
		if err := ValidateRoutingConfig("1", ok); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
}

func TestAliasBodies(t *testing.T) {
	// lambda-api.md §5.5 alias naming
	wantErr(t, ValidateCreateAlias(&CreateAliasInput{Name: "2024", FunctionVersion: "1"}), awserr.Validation,
		"1 validation error detected: Value '2024' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)")
	// lambda-api.md §5.5: aliases may point at $LATEST
	if err := ValidateCreateAlias(&CreateAliasInput{Name: "live", FunctionVersion: "$LATEST"}); err != nil {
		t.Error(err)
	}
	// lambda-api.md §5.5 $LATEST primary with routing
	err := ValidateCreateAlias(&CreateAliasInput{Name: "live", FunctionVersion: "$LATEST",
		RoutingConfig: &RoutingConfig{AdditionalVersionWeights: map[string]float64{"1": 0.5}}})
	wantErr(t, err, awserr.InvalidParameterValue, "$LATEST is not supported for an alias pointing to more than 1 version")
	// UpdateAlias without FunctionVersion uses the stored primary (§5.5 same-version rule)
	err = ValidateUpdateAlias(&UpdateAliasInput{RoutingConfig: &RoutingConfig{AdditionalVersionWeights: map[string]float64{"3": 0.5}}}, "3")
	wantErr(t, err, awserr.InvalidParameterValue, "Invalid function version 3. Function version 3 is already included in routing configuration.")
}

func TestRenderValues(t *testing.T) {
	// lambda-api.md §8.3 value rendering
	if got := RenderList([]string{"x86_64", "arm64"}); got != "[x86_64, arm64]" {
		t.Error(got)
	}
	if got := RenderWeights(map[string]float64{"2": 2}); got != "{2=2.0}" {
		t.Error(got)
	}
	// Java Double.toString forms
	for f, want := range map[float64]string{0.5: "0.5", 1: "1.0", 0: "0.0", 0.001: "0.001", 0.0001: "1.0E-4", 1e7: "1.0E7", 12345678.9: "1.23456789E7", -2.5: "-2.5"} {
		if got := javaDouble(f); got != want {
			t.Errorf("javaDouble(%v) = %s, want %s", f, got, want)
		}
	}
	// Lengths count UTF-16 units, as AWS does: 256 two-byte runes fit.
	if err := ValidateDescription(strings.Repeat("é", 256)); err != nil {
		t.Error(err)
	}
}

func TestErrorsAreAWSErrors(t *testing.T) {
	// lambda-api.md §7.2: ValidationException is 400 with message only
	err := ValidateCreate(&CreateFunctionInput{})
	var e *awserr.Error
	if !errors.As(err, &e) || e.Status() != 400 || e.Body()["Type"] != nil {
		t.Fatalf("%v", err)
	}
	if !strings.HasPrefix(e.Message, "3 validation errors detected: Value null at 'functionName'") {
		t.Errorf("%s", e.Message)
	}
}
