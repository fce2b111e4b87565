package lambda

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/kindling-dev/kindling/internal/awserr"
)

// Pattern texts as AWS quotes them. Copied from the reference, never from
// the code under test.
const (
	// lambda-api.md §8.2: the recorded 2025 NamespacedFunctionName text.
	refNamespacedPattern = `(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?`
	// lambda-api.md §8.2: the FunctionName pattern with the 2025 "(eusc-)?"
	// region group that §8.2 says the messages quote.
	refFunctionNamePattern = `(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`
	// lambda-api.md §4.1 / §8.1: Qualifier pattern.
	refQualifierPattern = `\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+`
)

// refRegexMsg is the one-error message of §4.5 / §8.3 for a name failing
// the pattern.
func refRegexMsg(value, pattern string) string {
	// lambda-api.md §4.5 "Name fails the regex", §8.3 grammar
	return "1 validation error detected: Value '" + value + "' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: " + pattern
}

// wantErr asserts err is an *awserr.Error with code and message.
func wantErr(t *testing.T, err error, code awserr.Code, msg string) {
	t.Helper()
	var e *awserr.Error
	if !errors.As(err, &e) {
		t.Fatalf("want %s %q, got %v", code, msg, err)
	}
	if e.Code != code || e.Message != msg {
		t.Fatalf("want %s\n  %q\ngot %s\n  %q", code, msg, e.Code, e.Message)
	}
}

func TestParseFunctionNameValid(t *testing.T) {
	long65 := strings.Repeat("a", 65)
	cases := []struct {
		raw  string
		p    NamePattern
		want FunctionRef
	}{
		// lambda-api.md §5.1 accepted inputs
		{"my-function", PatternFunctionName, FunctionRef{Name: "my-function"}},
		{"my-function:prod", PatternFunctionName, FunctionRef{Name: "my-function", Qualifier: "prod"}},
		{"my-function:$LATEST", PatternNamespaced, FunctionRef{Name: "my-function", Qualifier: "$LATEST"}},
		{"123456789012:function:my-function", PatternFunctionName, FunctionRef{Name: "my-function", Account: "123456789012"}},
		{"123456789012:function:my-function:1", PatternNamespaced, FunctionRef{Name: "my-function", Qualifier: "1", Account: "123456789012"}},
		{"arn:aws:lambda:us-west-2:123456789012:function:my-function", PatternFunctionName,
			FunctionRef{Name: "my-function", Region: "us-west-2", Account: "123456789012"}},
		{"arn:aws:lambda:us-west-2:123456789012:function:my-function:prod", PatternNamespaced,
			FunctionRef{Name: "my-function", Qualifier: "prod", Region: "us-west-2", Account: "123456789012"}},
		// lambda-api.md §5.2: an ARN without name is a function named "function"
		{"arn:aws:lambda:us-east-1:123456789012:function", PatternNamespaced,
			FunctionRef{Name: "function", Region: "us-east-1", Account: "123456789012"}},
		// lambda-api.md §8.1: Namespaced allows "." and $LATEST.PUBLISHED
		{"my.function", PatternNamespaced, FunctionRef{Name: "my.function"}},
		{"my-function:$LATEST.PUBLISHED", PatternNamespaced, FunctionRef{Name: "my-function", Qualifier: "$LATEST.PUBLISHED"}},
		// lambda-api.md §8.2: gov and EU sovereign cloud regions
		{"arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f", PatternFunctionName,
			FunctionRef{Name: "f", Region: "us-gov-west-1", Account: "123456789012"}},
		{"arn:aws-eusc:lambda:eusc-de-east-1:123456789012:function:f", PatternFunctionName,
			FunctionRef{Name: "f", Region: "eusc-de-east-1", Account: "123456789012"}},
		// lambda-api.md §5.2: a 65-char bare name is not a syntax error
		{long65, PatternNamespaced, FunctionRef{Name: long65}},
	}
	for _, c := range cases {
		got, err := ParseFunctionName(c.raw, c.p)
		if err != nil || got != c.want {
			t.Errorf("ParseFunctionName(%q) = %+v, %v; want %+v", c.raw, got, err, c.want)
		}
	}
	if !NameTooLong(long65) || NameTooLong(strings.Repeat("a", 64)) {
		t.Error("NameTooLong: 65 chars must be too long, 64 not") // lambda-api.md §5.2, §8.1
	}
}

// The malformed names of §5.2 / §10.2 test_function_name_and_qualifier_validation.
func TestParseFunctionNameMalformed(t *testing.T) {
	cases := []struct {
		raw string
		p   NamePattern
	}{
		// lambda-api.md §5.2: too many segments
		{"my-function:1:2", PatternNamespaced},
		{"arn:aws:lambda:us-east-1:123456789012:function:my-function:$LATEST:extra", PatternNamespaced},
		{"function:my-function:$LATEST:extra", PatternNamespaced},
		// lambda-api.md §5.2: missing region or account
		{"arn:aws:lambda::123456789012:function:my-function", PatternNamespaced},
		{"arn:aws:lambda:us-east-1::function:my-function", PatternNamespaced},
		{"arn:aws:lambda:us-east-1:function:my-function", PatternNamespaced},
		{"arn:aws:lambda:123456789012:function:my-function", PatternNamespaced},
		// lambda-api.md §5.2: invalid region
		{"arn:aws:lambda:invalid-region:123456789012:function:my-function", PatternNamespaced},
		// lambda-api.md §5.2: non-Lambda ARN
		{"arn:aws:s3:::my-bucket", PatternNamespaced},
		{"arn:aws:sqs:us-east-1:123456789012:function:my-function", PatternNamespaced},
		// lambda-api.md §5.2: misspelled $LATES
		{"my-function:$LATES", PatternNamespaced},
		// lambda-api.md §5.2: $latest is lower case; as a name suffix it fails the pattern
		{"my-function:$latest", PatternNamespaced},
		// lambda-api.md §4.5 (LS test_invalid_invoke)
		{"arn:aws:lambda:us-east-1:123400000000@function:myfn", PatternNamespaced},
		{"my function", PatternNamespaced},
		{"my/function", PatternNamespaced},
		// lambda-api.md §10.2 test_function_arns: invalid name on create
		{"invalid:function:name", PatternFunctionName},
		// lambda-api.md §8.1: FunctionName forbids "." and $LATEST.PUBLISHED
		{"my.function", PatternFunctionName},
		{"my-function:$LATEST.PUBLISHED", PatternFunctionName},
		{"arn:aws:lambda:us-east-1:123456789012:function:my-function:1:2", PatternFunctionName},
		// Kindling guard (not AWS, which would answer 404): these pass the
		// Namespaced regex but are path escapes; they get the §8.2 message.
		{"..", PatternNamespaced},
		{"a..b:1", PatternNamespaced},
		{".", PatternNamespaced},
	}
	for _, c := range cases {
		pat := refNamespacedPattern
		if c.p == PatternFunctionName {
			pat = refFunctionNamePattern
		}
		_, err := ParseFunctionName(c.raw, c.p)
		wantErr(t, err, awserr.Validation, refRegexMsg(c.raw, pat))
	}
}

func TestParseFunctionNameLength(t *testing.T) {
	prefix := "arn:aws:lambda:us-east-1:123456789012:function:"
	arn141 := prefix + strings.Repeat("a", 141-len(prefix))
	// lambda-api.md §5.2: full ARN over 140 chars on CreateFunction
	_, err := ParseFunctionName(arn141, PatternFunctionName)
	wantErr(t, err, awserr.Validation,
		"1 validation error detected: Value '"+arn141+"' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 140")

	// lambda-api.md §8.1: NamespacedFunctionName max 256
	ns257 := prefix + strings.Repeat("a", 257-len(prefix))
	_, err = ParseFunctionName(ns257, PatternNamespaced)
	wantErr(t, err, awserr.Validation,
		"1 validation error detected: Value '"+ns257+"' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 256")
	if _, err := ParseFunctionName(ns257[:256], PatternNamespaced); err != nil {
		t.Errorf("256 chars must pass: %v", err)
	}

	// lambda-api.md §8.3: a too-long and malformed ARN gives 2 errors
	bad := prefix + strings.Repeat("a", 100) + ":1:2"
	_, err = ParseFunctionName(bad, PatternFunctionName)
	wantErr(t, err, awserr.Validation, "2 validation errors detected: "+
		"Value '"+bad+"' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 140; "+
		"Value '"+bad+"' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: "+refFunctionNamePattern)
}

func TestQualifier(t *testing.T) {
	const arn = "arn:aws:lambda:us-east-1:123456789012:function:some-function"
	// lambda-api.md §5.2 / §4.5
	const mismatch = "The derived qualifier from the function name does not match the specified qualifier."

	ok := []struct{ raw, q, want string }{
		{"my-function", "$latest", "$latest"}, // lambda-api.md §5.2: passes syntax, then 404
		{"my-function", "$LATEST", "$LATEST"},
		{"my-function", "$LATEST.PUBLISHED", "$LATEST.PUBLISHED"},
		{"my-function", "1", "1"},
		{"my-function:prod", "", "prod"},
		{arn + ":$LATEST", "$LATEST", "$LATEST"}, // lambda-api.md §10.2 test_ops_with_arn_qualifier_mismatch (match)
		{"my-function:prod", "prod", "prod"},
	}
	for _, c := range ok {
		ref, err := ParseFunctionNameQualifier(c.raw, PatternNamespaced, c.q)
		if err != nil || ref.Qualifier != c.want {
			t.Errorf("(%q, %q) = %+v, %v; want qualifier %q", c.raw, c.q, ref, err, c.want)
		}
	}

	// lambda-api.md §10.2 test_ops_with_arn_qualifier_mismatch
	_, err := ParseFunctionNameQualifier(arn+":1", PatternNamespaced, "$LATEST")
	wantErr(t, err, awserr.InvalidParameterValue, mismatch)
	ref, _ := ParseFunctionName(arn+":1", PatternNamespaced)
	_, err = ref.WithQualifier("$LATEST")
	wantErr(t, err, awserr.InvalidParameterValue, mismatch)

	// lambda-api.md §8.3 grammar, §8.1 qualifier pattern and length
	_, err = ParseFunctionNameQualifier("my-function", PatternNamespaced, "bad?char")
	wantErr(t, err, awserr.Validation,
		"1 validation error detected: Value 'bad?char' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: "+refQualifierPattern)
	q129 := strings.Repeat("a", 129)
	_, err = (FunctionRef{Name: "f"}).WithQualifier(q129)
	wantErr(t, err, awserr.Validation,
		"1 validation error detected: Value '"+q129+"' at 'qualifier' failed to satisfy constraint: Member must have length less than or equal to 128")

	// lambda-api.md §8.3: a too-long qualifier plus a malformed name, 2 errors
	_, err = ParseFunctionNameQualifier("my-function:1:2", PatternNamespaced, q129)
	wantErr(t, err, awserr.Validation, "2 validation errors detected: "+
		"Value 'my-function:1:2' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: "+refNamespacedPattern+"; "+
		"Value '"+q129+"' at 'qualifier' failed to satisfy constraint: Member must have length less than or equal to 128")
}

func TestCheckLocation(t *testing.T) {
	const acct = "111111111111"
	ref, _ := ParseFunctionName("arn:aws:lambda:us-east-1:"+acct+":function:fn", PatternNamespaced)
	// lambda-api.md §4.5 "ARN of another region"
	wantErr(t, ref.CheckLocation("eu-central-1", acct), awserr.ResourceNotFound,
		"Functions from 'us-east-1' are not reachable in this region ('eu-central-1')")
	if err := ref.CheckLocation("us-east-1", acct); err != nil {
		t.Errorf("same location: %v", err)
	}
	// lambda-api.md §4.5 "ARN of another account": 403 AccessDeniedException
	err := ref.CheckLocation("us-east-1", "222222222222")
	if !awserr.Is(err, awserr.AccessDenied) || awserr.As(err).Status() != 403 {
		t.Errorf("other account: %v", err)
	}
	bare, _ := ParseFunctionName("fn", PatternNamespaced)
	if err := bare.CheckLocation("eu-central-1", acct); err != nil {
		t.Errorf("bare name: %v", err)
	}
}

func TestARNs(t *testing.T) {
	// lambda-api.md §5.1, §3.2 FunctionArn qualification
	cases := []struct{ got, want string }{
		{FunctionARN("us-east-1", "111111111111", "fn"), "arn:aws:lambda:us-east-1:111111111111:function:fn"},
		{QualifiedARN("us-east-1", "111111111111", "fn", ""), "arn:aws:lambda:us-east-1:111111111111:function:fn"},
		{QualifiedARN("us-east-1", "111111111111", "fn", "$LATEST"), "arn:aws:lambda:us-east-1:111111111111:function:fn:$LATEST"},
		{QualifiedARN("us-east-1", "111111111111", "fn", "1"), "arn:aws:lambda:us-east-1:111111111111:function:fn:1"},
		{FunctionARN("cn-north-1", "111111111111", "fn"), "arn:aws-cn:lambda:cn-north-1:111111111111:function:fn"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q want %q", c.got, c.want)
		}
	}
}

func TestIsVersionNumber(t *testing.T) {
	// lambda-api.md §5.2: all digits is a version, anything else an alias/$LATEST
	for q, want := range map[string]bool{"1": true, "10": true, "0": true, "$LATEST": false, "a1": false, "1a": false, "": false, "prod": false} {
		if IsVersionNumber(q) != want {
			t.Errorf("IsVersionNumber(%q) != %v", q, want)
		}
	}
}

func TestValidateAliasName(t *testing.T) {
	// lambda-api.md §5.5 test_alias_naming
	if err := ValidateAliasName("2024-01-02"); err != nil {
		t.Errorf("2024-01-02: %v", err)
	}
	wantErr(t, ValidateAliasName("2024"), awserr.Validation,
		"1 validation error detected: Value '2024' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)")
	// lambda-api.md §8.1 alias 1-128, §8.3 grammar
	a129 := strings.Repeat("a", 129)
	wantErr(t, ValidateAliasName(a129), awserr.Validation,
		"1 validation error detected: Value '"+a129+"' at 'name' failed to satisfy constraint: Member must have length less than or equal to 128")
}

// FuzzParseFunctionName checks that parsing never panics, that an accepted
// name is safe to use as a storage key, and that acceptance agrees with
// the reference pattern and length limits (lambda-api.md §8.1, §8.2).
func FuzzParseFunctionName(f *testing.F) {
	for _, s := range []string{
		"my-function", "my-function:prod", "my-function:$LATEST",
		"123456789012:function:my-function:1",
		"arn:aws:lambda:us-east-1:123456789012:function:my-function:$LATEST",
		"arn:aws:lambda:us-east-1:123456789012:function", "my.function", "..",
		"a/../b", "my-function:1:2", "arn:aws:lambda::123456789012:function:f",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	safeName := regexp.MustCompile(`^[a-zA-Z0-9_.\-]+$`)
	refNS := regexp.MustCompile(`^(?:` + refNamespacedPattern + `)$`)
	refFN := regexp.MustCompile(`^(?:` + refFunctionNamePattern + `)$`)
	refQ := regexp.MustCompile(`^(?:` + refQualifierPattern + `)$`)
	f.Fuzz(func(t *testing.T, raw string, namespaced bool) {
		p, ref, max := PatternFunctionName, refFN, 140
		if namespaced {
			p, ref, max = PatternNamespaced, refNS, 256
		}
		got, err := ParseFunctionName(raw, p)
		if err != nil {
			if !awserr.Is(err, awserr.Validation) {
				t.Fatalf("%q: error %v is not a ValidationException", raw, err)
			}
			if got != (FunctionRef{}) {
				t.Fatalf("%q: partial result %+v with error", raw, got)
			}
			return
		}
		if !ref.MatchString(raw) || utf16Len(raw) > max {
			t.Fatalf("%q accepted but fails the reference pattern or length", raw)
		}
		if !safeName.MatchString(got.Name) || strings.Contains(got.Name, "/") ||
			strings.Contains(got.Name, "..") || got.Name == "." {
			t.Fatalf("%q: unsafe name %q", raw, got.Name)
		}
		// A derived qualifier has the Qualifier shape's characters (its
		// length is bounded only by the name's).
		if got.Qualifier != "" && !refQ.MatchString(got.Qualifier) {
			t.Fatalf("%q: derived qualifier %q fails the Qualifier pattern", raw, got.Qualifier)
		}
	})
}
