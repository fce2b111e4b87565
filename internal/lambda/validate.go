package lambda

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/kindling-dev/kindling/internal/awserr"
)

// Validation happens in two phases, as AWS does (reference/lambda-api.md
// §8.4):
//
//  1. constraint checks of the model (length, range, pattern, enum, null),
//     all gathered into one ValidationException (§8.3). The Violations
//     methods named after operations do this phase, so a handler can gather
//     path and body failures into one message;
//  2. semantic checks that AWS answers with InvalidParameterValueException
//     (runtime, environment, layers, tags, routing). The Check* functions
//     do this phase and return the first failure.
//
// The Validate* functions run both phases.

// Constraint phrase used for absent required members (§8.3).
const NotNull = "Member must not be null"

// MaxLen is the constraint phrase for a too-long value.
func MaxLen(n int) string { return fmt.Sprintf("Member must have length less than or equal to %d", n) }

// MinLen is the constraint phrase for a too-short value.
func MinLen(n int) string {
	return fmt.Sprintf("Member must have length greater than or equal to %d", n)
}

// MaxValue is the constraint phrase for a too-large number.
func MaxValue(n int) string { return fmt.Sprintf("Member must have value less than or equal to %d", n) }

// MinValue is the constraint phrase for a too-small number.
func MinValue(n int) string {
	return fmt.Sprintf("Member must have value greater than or equal to %d", n)
}

// MatchPattern is the constraint phrase for a value failing a regex.
func MatchPattern(re string) string {
	return "Member must satisfy regular expression pattern: " + re
}

// InEnum is the constraint phrase for a value outside an enum.
func InEnum(values ...string) string {
	return "Member must satisfy enum value set: " + RenderList(values)
}

// Violations gathers constraint failures into one ValidationException
// message: "1 validation error detected: <item>" or
// "<N> validation errors detected: <item>; <item>" (§8.3). The zero value is
// ready to use.
type Violations struct {
	items []string
}

// Add records that value (rendered verbatim, in quotes) at member (the
// camelCase member path) fails constraint.
func (v *Violations) Add(value, member, constraint string) {
	v.items = append(v.items, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", value, member, constraint))
}

// AddNull records that a required member is absent:
// "Value null at '<member>' failed to satisfy constraint: Member must not be null".
func (v *Violations) AddNull(member string) {
	v.items = append(v.items, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: %s", member, NotNull))
}

// AddHidden records a failure of a sensitive member, whose value AWS does
// not echo: "Value at '<member>' failed to satisfy constraint: ...".
func (v *Violations) AddHidden(member, constraint string) {
	v.items = append(v.items, fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", member, constraint))
}

// Len is the number of failures recorded.
func (v *Violations) Len() int { return len(v.items) }

// Message is the ValidationException message, or "" when nothing failed.
func (v *Violations) Message() string {
	switch len(v.items) {
	case 0:
		return ""
	case 1:
		return "1 validation error detected: " + v.items[0]
	}
	return fmt.Sprintf("%d validation errors detected: %s", len(v.items), strings.Join(v.items, "; "))
}

// Err returns nil when nothing failed, else the ValidationException.
func (v *Violations) Err() error {
	if len(v.items) == 0 {
		return nil
	}
	return awserr.New(awserr.Validation, v.Message())
}

// RenderList renders a list value as AWS does: "[a, b]".
func RenderList(items []string) string { return "[" + strings.Join(items, ", ") + "]" }

// RenderWeights renders a version-weight map as AWS does: "{2=2.0}". Keys
// are sorted (JSON object order is not kept by Go maps).
func RenderWeights(m map[string]float64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + javaDouble(m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// javaDouble formats f like Java's Double.toString: "2.0", "0.5",
// "1.0E-4", "1.0E7".
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	mant, exp, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// utf16Len is a string's length as AWS (Java) counts it: UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r) // 1 or 2: ranging never yields a surrogate
	}
	return n
}

// Patterns and limits of the function configuration members
// (reference/lambda-api.md §8.1, §8.2; botocore model).
const (
	RoleRegex      = `arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`
	HandlerRegex   = `[^\s]+`
	EnvKeyRegex    = `[a-zA-Z]([a-zA-Z0-9_])+`
	KMSKeyARNRegex = `(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()`
	LogGroupRegex  = `[\.\-_/#A-Za-z0-9]+`
	// VersionRegex is the "VersionWithLatestPublished" shape of an alias's
	// FunctionVersion.
	VersionRegex = `(\$LATEST(\.PUBLISHED)?|[0-9]+)`
	// WeightKeyRegex is the "AdditionalVersion" shape.
	WeightKeyRegex = `[0-9]+`
	// LayerARNRegex is the layer-version ARN pattern as AWS quotes it in the
	// "layers" validation message (GH aws/aws-cli#8426); its first
	// alternative is the model pattern of §8.2.
	LayerARNRegex = `(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)`

	MaxDescriptionLen = 256
	MaxHandlerLen     = 128
	MinMemorySize     = 128
	MaxMemorySize     = 10240
	MinTimeout        = 1
	MaxTimeout        = 900
	MinEphemeral      = 512
	MaxEphemeral      = 10240
	MaxLayers         = 5
	MaxLayerARNLen    = 140
	MaxTags           = 50
	MaxEnvBytes       = 4096
	MaxSubnetIDs      = 16
	MaxSecurityGroups = 5
	MaxLogGroupLen    = 512
	MaxVersionLen     = 1024
)

// Enums of the model, in model order.
var (
	ArchitectureEnum        = []string{"x86_64", "arm64"}
	PackageTypeEnum         = []string{"Zip", "Image"}
	TracingModeEnum         = []string{"Active", "PassThrough"}
	LogFormatEnum           = []string{"JSON", "Text"}
	ApplicationLogLevelEnum = []string{"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}
	SystemLogLevelEnum      = []string{"DEBUG", "INFO", "WARN"}
	SnapStartApplyOnEnum    = []string{"PublishedVersions", "None"}
)

// ReservedEnvKeys are the environment variable names Lambda sets itself and
// refuses in a function configuration (§8.1; AWS "Defined runtime
// environment variables", reserved ones).
var ReservedEnvKeys = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION",
	"AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
	"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
	"AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
	"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API",
	"LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}

var (
	roleRe      = wholeMatch(RoleRegex)
	handlerRe   = regexp.MustCompile(`^[^ \t\n\x0B\f\r]+$`) // Java's \s
	envKeyRe    = wholeMatch(EnvKeyRegex)
	kmsKeyARNRe = wholeMatch(KMSKeyARNRegex)
	logGroupRe  = wholeMatch(LogGroupRegex)
	versionRe   = wholeMatch(VersionRegex)
	layerARNRe  = wholeMatch(LayerARNRegex)
	reservedEnv = map[string]bool{}
)

func init() {
	for _, k := range ReservedEnvKeys {
		reservedEnv[k] = true
	}
}

func inList(s string, list []string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ---- phase 1: constraint checks (ValidationException) ----

func (v *Violations) role(role string) {
	if !roleRe.MatchString(role) {
		v.Add(role, "role", MatchPattern(RoleRegex))
	}
}

// handler checks a non-empty handler (min length is 0 in the model).
func (v *Violations) handler(h string) {
	if h == "" {
		return
	}
	if utf16Len(h) > MaxHandlerLen {
		v.Add(h, "handler", MaxLen(MaxHandlerLen))
	}
	if !handlerRe.MatchString(h) {
		v.Add(h, "handler", MatchPattern(HandlerRegex))
	}
}

// Description validates a description (0-256 characters) at member
// "description".
func (v *Violations) Description(d string) {
	if utf16Len(d) > MaxDescriptionLen {
		v.Add(d, "description", MaxLen(MaxDescriptionLen))
	}
}

func (v *Violations) intRange(n *int, member string, lo, hi int) {
	if n == nil {
		return
	}
	if *n > hi {
		v.Add(strconv.Itoa(*n), member, MaxValue(hi))
	}
	if *n < lo {
		v.Add(strconv.Itoa(*n), member, MinValue(lo))
	}
}

func (v *Violations) vpc(c *VpcConfig) {
	if c == nil {
		return
	}
	if len(c.SubnetIds) > MaxSubnetIDs {
		v.Add(RenderList(c.SubnetIds), "vpcConfig.subnetIds", MaxLen(MaxSubnetIDs))
	}
	if len(c.SecurityGroupIds) > MaxSecurityGroups {
		v.Add(RenderList(c.SecurityGroupIds), "vpcConfig.securityGroupIds", MaxLen(MaxSecurityGroups))
	}
}

func (v *Violations) enum(value, member string, values []string) {
	if value != "" && !inList(value, values) {
		v.Add(value, member, InEnum(values...))
	}
}

func (v *Violations) resourceARN(arn, member string) {
	if arn != "" && !kmsKeyARNRe.MatchString(arn) {
		v.Add(arn, member, MatchPattern(KMSKeyARNRegex))
	}
}

// EnvironmentVariables validates the keys of Environment.Variables at the
// sensitive member "environment.variables" (AWS does not echo the value).
func (v *Violations) EnvironmentVariables(vars map[string]string) {
	for k := range vars {
		if !envKeyRe.MatchString(k) {
			v.AddHidden("environment.variables",
				"Map keys must satisfy constraint: ["+MatchPattern(EnvKeyRegex)+"]")
			return
		}
	}
}

func (v *Violations) layers(layers []string) {
	for _, l := range layers {
		if l == "" || utf16Len(l) > MaxLayerARNLen || !layerARNRe.MatchString(l) {
			v.Add(RenderList(layers), "layers", "Member must satisfy constraint: ["+
				MaxLen(MaxLayerARNLen)+", "+MinLen(1)+", "+MatchPattern(LayerARNRegex)+", "+NotNull+"]")
			return
		}
	}
}

// Architectures validates an Architectures list that was present in the
// request (§8.3 examples).
func (v *Violations) Architectures(a []string) {
	const member = "architectures"
	if len(a) > 1 {
		v.Add(RenderList(a), member, MaxLen(1))
	}
	if len(a) == 0 {
		v.Add(RenderList(a), member, MinLen(1))
	}
	for _, x := range a {
		if !inList(x, ArchitectureEnum) {
			v.Add(RenderList(a), member, "Member must satisfy constraint: ["+InEnum(ArchitectureEnum...)+", "+NotNull+"]")
			return
		}
	}
}

func (v *Violations) ephemeral(e *EphemeralStorage) {
	if e == nil {
		return
	}
	v.intRange(&e.Size, "ephemeralStorage.size", MinEphemeral, MaxEphemeral)
}

func (v *Violations) logging(c *LoggingConfig) {
	if c == nil {
		return
	}
	v.enum(c.LogFormat, "loggingConfig.logFormat", LogFormatEnum)
	v.enum(c.ApplicationLogLevel, "loggingConfig.applicationLogLevel", ApplicationLogLevelEnum)
	v.enum(c.SystemLogLevel, "loggingConfig.systemLogLevel", SystemLogLevelEnum)
	if c.LogGroup != "" {
		if utf16Len(c.LogGroup) > MaxLogGroupLen {
			v.Add(c.LogGroup, "loggingConfig.logGroup", MaxLen(MaxLogGroupLen))
		}
		if !logGroupRe.MatchString(c.LogGroup) {
			v.Add(c.LogGroup, "loggingConfig.logGroup", MatchPattern(LogGroupRegex))
		}
	}
}

// CreateFunction records the constraint failures of a CreateFunction body,
// in the model's member order. The runtime is not checked here: AWS
// answers a bad runtime with an InvalidParameterValueException (§7.2).
func (v *Violations) CreateFunction(in *CreateFunctionInput) {
	v.FunctionName(in.FunctionName, PatternFunctionName)
	if in.Role == "" {
		v.AddNull("role")
	} else {
		v.role(in.Role)
	}
	v.handler(in.Handler)
	if in.Code == nil {
		v.AddNull("code")
	}
	v.Description(in.Description)
	v.intRange(in.Timeout, "timeout", MinTimeout, MaxTimeout)
	v.intRange(in.MemorySize, "memorySize", MinMemorySize, MaxMemorySize)
	v.vpc(in.VpcConfig)
	v.enum(in.PackageType, "packageType", PackageTypeEnum)
	if in.DeadLetterConfig != nil {
		v.resourceARN(in.DeadLetterConfig.TargetArn, "deadLetterConfig.targetArn")
	}
	if in.Environment != nil {
		v.EnvironmentVariables(in.Environment.Variables)
	}
	v.resourceARN(in.KMSKeyArn, "kMSKeyArn")
	if in.TracingConfig != nil {
		v.enum(in.TracingConfig.Mode, "tracingConfig.mode", TracingModeEnum)
	}
	if in.Layers != nil {
		v.layers(in.Layers)
	}
	if in.Architectures != nil {
		v.Architectures(in.Architectures)
	}
	v.ephemeral(in.EphemeralStorage)
	if in.SnapStart != nil {
		v.enum(in.SnapStart.ApplyOn, "snapStart.applyOn", SnapStartApplyOnEnum)
	}
	v.logging(in.LoggingConfig)
}

// UpdateFunctionConfiguration records the constraint failures of the
// members present in an UpdateFunctionConfiguration body.
func (v *Violations) UpdateFunctionConfiguration(in *UpdateFunctionConfigurationInput) {
	if in.Role != nil {
		v.role(*in.Role)
	}
	if in.Handler != nil {
		v.handler(*in.Handler)
	}
	if in.Description != nil {
		v.Description(*in.Description)
	}
	v.intRange(in.Timeout, "timeout", MinTimeout, MaxTimeout)
	v.intRange(in.MemorySize, "memorySize", MinMemorySize, MaxMemorySize)
	v.vpc(in.VpcConfig)
	if in.Environment != nil {
		v.EnvironmentVariables(in.Environment.Variables)
	}
	if in.DeadLetterConfig != nil {
		v.resourceARN(in.DeadLetterConfig.TargetArn, "deadLetterConfig.targetArn")
	}
	if in.KMSKeyArn != nil {
		v.resourceARN(*in.KMSKeyArn, "kMSKeyArn")
	}
	if in.TracingConfig != nil {
		v.enum(in.TracingConfig.Mode, "tracingConfig.mode", TracingModeEnum)
	}
	if in.Layers != nil {
		v.layers(*in.Layers)
	}
	v.ephemeral(in.EphemeralStorage)
	if in.SnapStart != nil {
		v.enum(in.SnapStart.ApplyOn, "snapStart.applyOn", SnapStartApplyOnEnum)
	}
	v.logging(in.LoggingConfig)
}

// UpdateFunctionCode records the constraint failures of an
// UpdateFunctionCode body.
func (v *Violations) UpdateFunctionCode(in *UpdateFunctionCodeInput) {
	if in.Architectures != nil {
		v.Architectures(in.Architectures)
	}
}

// PublishVersion records the constraint failures of a PublishVersion body.
func (v *Violations) PublishVersion(in *PublishVersionInput) {
	if in.Description != nil {
		v.Description(*in.Description)
	}
}

func (v *Violations) aliasVersion(ver string) {
	if utf16Len(ver) > MaxVersionLen {
		v.Add(ver, "functionVersion", MaxLen(MaxVersionLen))
	}
	if !versionRe.MatchString(ver) {
		v.Add(ver, "functionVersion", MatchPattern(VersionRegex))
	}
}

// CreateAlias records the constraint failures of a CreateAlias body.
func (v *Violations) CreateAlias(in *CreateAliasInput) {
	v.AliasName(in.Name)
	if in.FunctionVersion == "" {
		v.AddNull("functionVersion")
	} else {
		v.aliasVersion(in.FunctionVersion)
	}
	v.Description(in.Description)
	v.RoutingConfig(in.RoutingConfig)
}

// UpdateAlias records the constraint failures of an UpdateAlias body.
func (v *Violations) UpdateAlias(in *UpdateAliasInput) {
	if in.FunctionVersion != nil {
		v.aliasVersion(*in.FunctionVersion)
	}
	if in.Description != nil {
		v.Description(*in.Description)
	}
	v.RoutingConfig(in.RoutingConfig)
}

// RoutingConfig records constraint failures of an alias routing map
// (§5.5): keys must be version numbers, weights within [0.0, 1.0].
func (v *Violations) RoutingConfig(rc *RoutingConfig) {
	if rc == nil || len(rc.AdditionalVersionWeights) == 0 {
		return
	}
	const member = "routingConfig.additionalVersionWeights"
	w := rc.AdditionalVersionWeights
	badKey, badValue := false, false
	for k, x := range w {
		if k == "" || utf16Len(k) > MaxVersionLen || !digitsRe.MatchString(k) {
			badKey = true
		}
		if !(x >= 0 && x <= 1) {
			badValue = true
		}
	}
	if badKey {
		v.Add(RenderWeights(w), member, "Map keys must satisfy constraint: ["+
			MaxLen(MaxVersionLen)+", "+MinLen(1)+", "+MatchPattern(WeightKeyRegex)+"]")
	}
	if badValue {
		v.Add(RenderWeights(w), member, "Map value must satisfy constraint: ["+
			"Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, "+NotNull+"]")
	}
}

// ---- phase 2: semantic checks (InvalidParameterValueException) ----

func ipve(format string, args ...any) error {
	return awserr.Newf(awserr.InvalidParameterValue, format, args...)
}

// CheckRuntime refuses a runtime outside the enum (§7.2 wording, listing
// the supported runtimes) and a deprecated, blocked one (§8.1 wording).
func CheckRuntime(rt string) error {
	if !IsKnownRuntime(rt) {
		return ipve("Value %s at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: %s or be a valid ARN",
			rt, RenderList(runtimeMessageList))
	}
	if IsRuntimeBlocked(rt) {
		return ipve("The runtime parameter of %s is no longer supported for creating or updating AWS Lambda functions. "+
			"We recommend you use a supported runtime while creating or updating functions.", rt)
	}
	return nil
}

// CheckEnvironment refuses reserved keys and variables whose compact JSON
// form exceeds 4 KB (§7.2, §8.1).
func CheckEnvironment(vars map[string]string) error {
	var reserved []string
	for k := range vars {
		if reservedEnv[k] {
			reserved = append(reserved, k)
		}
	}
	if len(reserved) > 0 {
		sort.Strings(reserved)
		return ipve("Lambda was unable to configure your environment variables because the environment variables you have provided "+
			"contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s",
			strings.Join(reserved, ", "))
	}
	if s := EnvironmentJSON(vars); len(s) > MaxEnvBytes {
		return ipve("Lambda was unable to configure your environment variables because the environment variables you have provided "+
			"exceeded the 4KB limit. String measured: %s", s)
	}
	return nil
}

// EnvironmentJSON is the compact JSON object {"K":"V",...} whose UTF-8 size
// AWS measures against the 4 KB limit (§8.1). Keys are sorted; non-ASCII
// characters are written raw (AWS counts 2-4 bytes for them), and control
// characters are escaped as a Java JSON writer does.
func EnvironmentJSON(vars map[string]string) string {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, k)
		b.WriteByte(':')
		writeJSONString(&b, vars[k])
	}
	b.WriteByte('}')
	return b.String()
}

func writeJSONString(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte(hex[r>>4])
				b.WriteByte(hex[r&0xF])
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// checkLayers enforces the layer count and refuses two versions of one
// layer (§7.2).
func checkLayers(layers []string) error {
	if len(layers) > MaxLayers {
		return ipve("Cannot reference more than %d layers.", MaxLayers)
	}
	seen := map[string]string{}
	for _, l := range layers {
		i := strings.LastIndexByte(l, ':')
		if i < 0 {
			continue
		}
		base := l[:i]
		if prev, ok := seen[base]; ok && prev != l {
			return ipve("Two different versions of the same layer are not allowed to be referenced in the same function. "+
				"%s and %s are versions of the same layer.", prev, l)
		}
		seen[base] = l
	}
	return nil
}

// CheckCreate runs CreateFunction's semantic checks, in this order: a bare
// name over 64 characters (§5.2), runtime (§7.2, §8.1), runtime and handler
// present for zip functions, environment, layers, tag count (§7.2).
func CheckCreate(in *CreateFunctionInput) error {
	if ref, err := ParseFunctionName(in.FunctionName, PatternFunctionName); err == nil && NameTooLong(ref.Name) {
		return NameTooLongError(ref.Name)
	}
	if in.Runtime != "" {
		if err := CheckRuntime(in.Runtime); err != nil {
			return err
		}
	}
	if in.PackageType != "Image" && (in.Runtime == "" || in.Handler == "") {
		// AWS wording; not in the reference (GH pipe-cd/pipecd#1401).
		return ipve("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	if in.Environment != nil {
		if err := CheckEnvironment(in.Environment.Variables); err != nil {
			return err
		}
	}
	if err := checkLayers(in.Layers); err != nil {
		return err
	}
	if len(in.Tags) > MaxTags {
		return ipve("Number of tags exceeds resource tag limit.")
	}
	return nil
}

// CheckUpdateConfig runs UpdateFunctionConfiguration's semantic checks on
// the members present: runtime, environment, layers.
func CheckUpdateConfig(in *UpdateFunctionConfigurationInput) error {
	if in.Runtime != nil {
		if err := CheckRuntime(*in.Runtime); err != nil {
			return err
		}
	}
	if in.Environment != nil {
		if err := CheckEnvironment(in.Environment.Variables); err != nil {
			return err
		}
	}
	if in.Layers != nil {
		if err := checkLayers(*in.Layers); err != nil {
			return err
		}
	}
	return nil
}

// CheckRoutingConfig runs the weighted-routing rules of §5.5 that need no
// lookup: at most one additional version, not $LATEST as primary (answered
// without "Type"), not the primary version itself. Whether the versions
// exist is for the caller.
func CheckRoutingConfig(primary string, rc *RoutingConfig) error {
	if rc == nil || len(rc.AdditionalVersionWeights) == 0 {
		return nil
	}
	if len(rc.AdditionalVersionWeights) > 1 {
		return ipve("Number of items in AdditionalVersionWeights cannot be greater than 1")
	}
	if primary == LatestVersion {
		return &awserr.Error{Code: awserr.InvalidParameterValue, NoType: true,
			Message: "$LATEST is not supported for an alias pointing to more than 1 version"}
	}
	if _, ok := rc.AdditionalVersionWeights[primary]; ok {
		return ipve("Invalid function version %s. Function version %s is already included in routing configuration.", primary, primary)
	}
	return nil
}

// ---- both phases ----

// ValidateCreate validates a CreateFunction body: constraint failures as
// one ValidationException, then the semantic checks of CheckCreate.
func ValidateCreate(in *CreateFunctionInput) error {
	var v Violations
	v.CreateFunction(in)
	if err := v.Err(); err != nil {
		return err
	}
	return CheckCreate(in)
}

// ValidateUpdateConfig validates the members present in an
// UpdateFunctionConfiguration body.
func ValidateUpdateConfig(in *UpdateFunctionConfigurationInput) error {
	var v Violations
	v.UpdateFunctionConfiguration(in)
	if err := v.Err(); err != nil {
		return err
	}
	return CheckUpdateConfig(in)
}

// ValidateUpdateCode validates an UpdateFunctionCode body.
func ValidateUpdateCode(in *UpdateFunctionCodeInput) error {
	var v Violations
	v.UpdateFunctionCode(in)
	return v.Err()
}

// ValidatePublishVersion validates a PublishVersion body.
func ValidatePublishVersion(in *PublishVersionInput) error {
	var v Violations
	v.PublishVersion(in)
	return v.Err()
}

// ValidateDescription validates a description (at most 256 characters).
func ValidateDescription(d string) error {
	var v Violations
	v.Description(d)
	return v.Err()
}

// ValidateEnvironment validates environment variables: key pattern
// (ValidationException), then reserved keys and the 4 KB limit
// (InvalidParameterValueException).
func ValidateEnvironment(vars map[string]string) error {
	var v Violations
	v.EnvironmentVariables(vars)
	if err := v.Err(); err != nil {
		return err
	}
	return CheckEnvironment(vars)
}

// ValidateRoutingConfig validates an alias routing configuration against
// the alias's primary version (§5.5), except the existence checks.
func ValidateRoutingConfig(primary string, rc *RoutingConfig) error {
	var v Violations
	v.RoutingConfig(rc)
	if err := v.Err(); err != nil {
		return err
	}
	return CheckRoutingConfig(primary, rc)
}

// ValidateCreateAlias validates a CreateAlias body, routing included.
func ValidateCreateAlias(in *CreateAliasInput) error {
	var v Violations
	v.CreateAlias(in)
	if err := v.Err(); err != nil {
		return err
	}
	return CheckRoutingConfig(in.FunctionVersion, in.RoutingConfig)
}

// ValidateUpdateAlias validates an UpdateAlias body; currentPrimary is the
// alias's stored version, used for routing when FunctionVersion is absent.
func ValidateUpdateAlias(in *UpdateAliasInput, currentPrimary string) error {
	var v Violations
	v.UpdateAlias(in)
	if err := v.Err(); err != nil {
		return err
	}
	primary := currentPrimary
	if in.FunctionVersion != nil {
		primary = *in.FunctionVersion
	}
	return CheckRoutingConfig(primary, in.RoutingConfig)
}
