package lambda

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/kindling-dev/kindling/internal/awserr"
)

// NamePattern selects which of the model's two function-name shapes a
// FunctionName path parameter is validated against
// (reference/lambda-api.md §8.1, §8.2).
type NamePattern int

const (
	// PatternFunctionName is the "FunctionName" shape (max 140, no dots in
	// the name): CreateFunction, Update*, PublishVersion, alias operations,
	// concurrency and function URL operations.
	PatternFunctionName NamePattern = iota
	// PatternNamespaced is the "NamespacedFunctionName" shape (max 256, dots
	// allowed in the name, $LATEST.PUBLISHED suffix): Get*, DeleteFunction,
	// Invoke, policy and event-invoke-config operations.
	PatternNamespaced
)

// The name patterns as AWS quotes them in 2025 messages, with the
// "(eusc-)?" region prefix (reference/lambda-api.md §8.2). They are also the
// patterns used for matching, against the whole value.
const (
	FunctionNameRegex = `(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`
	NamespacedRegex   = `(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?`
	// QualifierRegex is the "NumericLatestPublishedOrAliasQualifier" shape
	// of the Qualifier query parameter.
	QualifierRegex = `\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+`
	// AliasRegex is the "Alias" shape (reference/lambda-api.md §5.5). Go's
	// regexp has no look-ahead, so the "not all digits" part is checked by
	// hand.
	AliasRegex = `(?!^[0-9]+$)([a-zA-Z0-9-_]+)`
)

// Capture groups shared by both name regexes.
const (
	grpARNPrefix = 1
	grpRegion    = 3 // region with its trailing ':'
	grpAccount   = 9 // account with its trailing ':'
	grpName      = 11
	grpQualifier = 13
)

// Maximum lengths of the name shapes and of a bare function name.
const (
	MaxFunctionNameLen   = 140
	MaxNamespacedNameLen = 256
	MaxBareNameLen       = 64
	MaxQualifierLen      = 128
	MaxAliasLen          = 128
)

var (
	functionNameRe = wholeMatch(FunctionNameRegex)
	namespacedRe   = wholeMatch(NamespacedRegex)
	qualifierRe    = wholeMatch(QualifierRegex)
	aliasCharsRe   = regexp.MustCompile(`^[a-zA-Z0-9\-_]+$`)
	digitsRe       = regexp.MustCompile(`^[0-9]+$`)
)

// wholeMatch compiles an AWS pattern so that it must match the whole value,
// as AWS's validator does.
func wholeMatch(p string) *regexp.Regexp { return regexp.MustCompile(`^(?:` + p + `)$`) }

// FunctionRef is a parsed FunctionName parameter. Region and Account are
// empty when the input did not carry them (bare name, name:qualifier, or
// partial ARN without region).
type FunctionRef struct {
	Name      string
	Qualifier string
	Region    string
	Account   string
}

// ParseFunctionName parses a function name, name:qualifier, partial ARN or
// full ARN. Constraint failures are a ValidationException whose message
// follows reference/lambda-api.md §8.3. A bare name longer than 64
// characters is not an error here; see NameTooLong.
func ParseFunctionName(raw string, p NamePattern) (FunctionRef, error) {
	var v Violations
	ref := v.FunctionName(raw, p)
	if err := v.Err(); err != nil {
		return FunctionRef{}, err
	}
	return ref, nil
}

// ParseFunctionNameQualifier parses raw and merges the ?Qualifier= query
// parameter into it. Name and qualifier constraint failures are gathered
// into one ValidationException (§8.3); a name suffix that differs from the
// query qualifier is then an InvalidParameterValueException (§5.2).
func ParseFunctionNameQualifier(raw string, p NamePattern, qualifier string) (FunctionRef, error) {
	var v Violations
	ref := v.FunctionName(raw, p)
	if qualifier != "" {
		v.Qualifier(qualifier)
	}
	if err := v.Err(); err != nil {
		return FunctionRef{}, err
	}
	return ref.WithQualifier(qualifier)
}

// FunctionName validates raw against the name shape p, records violations
// in v and returns what could be parsed.
func (v *Violations) FunctionName(raw string, p NamePattern) FunctionRef {
	const member = "functionName"
	if raw == "" {
		v.AddNull(member)
		return FunctionRef{}
	}
	re, limit, text := functionNameRe, MaxFunctionNameLen, FunctionNameRegex
	if p == PatternNamespaced {
		re, limit, text = namespacedRe, MaxNamespacedNameLen, NamespacedRegex
	}
	// Length before pattern, as AWS orders them (§8.3: a too-long and
	// malformed ARN gives two errors).
	if utf16Len(raw) > limit {
		v.Add(raw, member, MaxLen(limit))
	}
	m := re.FindStringSubmatch(raw)
	ok := m != nil
	var ref FunctionRef
	if ok {
		ref = FunctionRef{
			Name:      m[grpName],
			Qualifier: m[grpQualifier],
			Region:    strings.TrimSuffix(m[grpRegion], ":"),
			Account:   strings.TrimSuffix(m[grpAccount], ":"),
		}
		// A full ARN must name both its region and account (§5.2: "a
		// missing region or account" is refused with the regex message).
		if m[grpARNPrefix] != "" && (ref.Region == "" || ref.Account == "") {
			ok = false
		}
		// Kindling guard, not AWS: "." and names containing ".." pass the
		// Namespaced regex but can never exist (CreateFunction forbids
		// dots) and would be path escapes in storage.
		if ref.Name == "." || strings.Contains(ref.Name, "..") {
			ok = false
		}
	}
	if !ok {
		v.Add(raw, member, MatchPattern(text))
		return FunctionRef{}
	}
	return ref
}

// Qualifier validates a ?Qualifier= value (§4.1, §8.1) at member
// "qualifier".
func (v *Violations) Qualifier(q string) {
	const member = "qualifier"
	if utf16Len(q) > MaxQualifierLen {
		v.Add(q, member, MaxLen(MaxQualifierLen))
	}
	if q == "" {
		v.Add(q, member, MinLen(1))
	}
	if !qualifierRe.MatchString(q) {
		v.Add(q, member, MatchPattern(QualifierRegex))
	}
}

// AliasName validates an alias name (§5.5) at member "name".
func (v *Violations) AliasName(name string) {
	const member = "name"
	if name == "" {
		v.AddNull(member)
		return
	}
	if utf16Len(name) > MaxAliasLen {
		v.Add(name, member, MaxLen(MaxAliasLen))
	}
	if !aliasCharsRe.MatchString(name) || digitsRe.MatchString(name) {
		v.Add(name, member, MatchPattern(AliasRegex))
	}
}

// ValidateAliasName returns a ValidationException when name is not a valid
// alias name (reference/lambda-api.md §5.5).
func ValidateAliasName(name string) error {
	var v Violations
	v.AliasName(name)
	return v.Err()
}

// NameTooLong reports whether a bare function name exceeds the 64-character
// limit. AWS treats this differently per operation: Get/Delete/Invoke answer
// 404 "Function not found", CreateFunction answers an
// InvalidParameterValueException (reference/lambda-api.md §5.2).
func NameTooLong(name string) bool { return utf16Len(name) > MaxBareNameLen }

// NameTooLongError is CreateFunction's answer for a name longer than 64
// characters (§5.2): an InvalidParameterValueException worded like a
// validation error.
func NameTooLongError(name string) error {
	return awserr.New(awserr.InvalidParameterValue, fmt.Sprintf(
		"1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: %s",
		name, MaxLen(MaxBareNameLen)))
}

// WithQualifier merges a ?Qualifier= query value with the qualifier derived
// from the name. An empty query leaves r unchanged. The query value is
// validated (ValidationException at "qualifier"); a mismatch with the name
// suffix is an InvalidParameterValueException (§5.2).
func (r FunctionRef) WithQualifier(query string) (FunctionRef, error) {
	if query == "" {
		return r, nil
	}
	var v Violations
	v.Qualifier(query)
	if err := v.Err(); err != nil {
		return r, err
	}
	if r.Qualifier != "" && r.Qualifier != query {
		return r, awserr.New(awserr.InvalidParameterValue,
			"The derived qualifier from the function name does not match the specified qualifier.")
	}
	r.Qualifier = query
	return r, nil
}

// CheckLocation compares the region and account carried by the ARN with the
// ones the request is served in. Another account is a 403
// AccessDeniedException (IAM refuses before Lambda looks at the region);
// another region is a 404 "not reachable" (reference/lambda-api.md §4.5,
// §8.4 step 3). A bare name always passes.
func (r FunctionRef) CheckLocation(region, account string) error {
	if r.Account != "" && r.Account != account {
		target := r.Region
		if target == "" {
			target = region
		}
		// AWS's recording carries no message (§4.5); this is IAM's usual
		// wording for a foreign resource without a resource-based policy.
		return awserr.Newf(awserr.AccessDenied,
			"User: arn:%s:iam::%s:root is not authorized to access resource: %s because no resource-based policy allows it",
			Partition(region), account, QualifiedARN(target, r.Account, r.Name, r.Qualifier))
	}
	if r.Region != "" && r.Region != region {
		return awserr.Newf(awserr.ResourceNotFound,
			"Functions from '%s' are not reachable in this region ('%s')", r.Region, region)
	}
	return nil
}

// Partition returns the ARN partition of an AWS region.
func Partition(region string) string {
	for _, p := range []struct{ prefix, partition string }{
		{"cn-", "aws-cn"},
		{"us-gov-", "aws-us-gov"},
		{"us-isob-", "aws-iso-b"},
		{"us-isof-", "aws-iso-f"},
		{"eu-isoe-", "aws-iso-e"},
		{"us-iso-", "aws-iso"},
		{"eusc-", "aws-eusc"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return "aws"
}

// FunctionARN is the unqualified function ARN
// arn:aws:lambda:<region>:<account>:function:<name> (§5.1).
func FunctionARN(region, account, name string) string {
	return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", Partition(region), region, account, name)
}

// QualifiedARN is the ARN of a version or alias; an empty qualifier gives
// the unqualified ARN (§5.1).
func QualifiedARN(region, account, name, qualifier string) string {
	if qualifier == "" {
		return FunctionARN(region, account, name)
	}
	return FunctionARN(region, account, name) + ":" + qualifier
}

// IsVersionNumber reports whether q names a published version (all
// digits); any other qualifier is $LATEST or an alias (§5.2).
func IsVersionNumber(q string) bool { return digitsRe.MatchString(q) }
