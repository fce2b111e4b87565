package lambda

import (
	"fmt"
	"strings"
	"time"

	"github.com/kindling-dev/kindling/internal/awserr"
)

// Limits and defaults of asynchronous invocation (reference/lambda-api.md
// §6.1, §6.2, §8.1).
const (
	MinRetryAttempts = 0
	MaxRetryAttempts = 2
	MinEventAge      = 60
	MaxEventAge      = 21600
	// DefaultRetryAttempts and DefaultEventAge apply when a config leaves a
	// member unset (or there is no config): two retries, six hours.
	DefaultRetryAttempts = 2
	DefaultEventAge      = 21600
	// MaxDestinationARNLen is the model's "DestinationArn" max length.
	MaxDestinationARNLen = 350
)

// DestinationARNRegex is the model's "DestinationArn" pattern as AWS quotes
// it in ValidationException messages (reference/lambda-api.md §8.2).
const DestinationARNRegex = `$|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)`

var destinationARNRe = wholeMatch(DestinationARNRegex)

// Destination is the OnSuccess or OnFailure member of a DestinationConfig.
// An unset destination renders as {} (reference/lambda-api.md §6.2).
type Destination struct {
	Destination string `json:"Destination,omitempty"`
}

// DestinationConfig is where the records of asynchronous invocations go,
// in its stored and rendered form: both members are always present.
type DestinationConfig struct {
	OnSuccess Destination `json:"OnSuccess"`
	OnFailure Destination `json:"OnFailure"`
}

// EventInvokeConfig is the stored asynchronous-invocation configuration of
// one qualifier of a function (reference/lambda-api.md §6.2). Nil members
// were not set; the defaults of §6.1 apply to them.
type EventInvokeConfig struct {
	MaximumRetryAttempts     *int              `json:"maximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds *int              `json:"maximumEventAgeInSeconds,omitempty"`
	DestinationConfig        DestinationConfig `json:"destinationConfig"`
	LastModified             time.Time         `json:"lastModified"`
}

// RetryAttempts is how many times a failed event is retried: the
// configured value, else 2 (§6.1).
func (c EventInvokeConfig) RetryAttempts() int {
	if c.MaximumRetryAttempts != nil {
		return *c.MaximumRetryAttempts
	}
	return DefaultRetryAttempts
}

// MaxEventAge is how long an event may wait in the queue: the configured
// value, else six hours (§6.1).
func (c EventInvokeConfig) MaxEventAge() time.Duration {
	if c.MaximumEventAgeInSeconds != nil {
		return time.Duration(*c.MaximumEventAgeInSeconds) * time.Second
	}
	return DefaultEventAge * time.Second
}

// EventInvokeConfigKey is the key of a qualifier's config in
// Function.EventInvokeConfigs: "$LATEST" for an unqualified reference.
func EventInvokeConfigKey(qualifier string) string {
	if qualifier == "" {
		return LatestVersion
	}
	return qualifier
}

// EventInvokeConfigFor returns the config that applies to an asynchronous
// invocation made with qualifier ("" means $LATEST). Configs are per
// qualifier: an invocation through an alias uses the alias's config, not
// the one of the version it points to, and there is no fallback to
// $LATEST's (reference/lambda-api.md §6.2, §10.1 item 16). ok is false
// when the qualifier has none; the zero value then yields the defaults.
func (f *Function) EventInvokeConfigFor(qualifier string) (EventInvokeConfig, bool) {
	c, ok := f.EventInvokeConfigs[EventInvokeConfigKey(qualifier)]
	return c, ok
}

// DestinationInput is an OnSuccess or OnFailure request member; a nil
// Destination was not sent.
type DestinationInput struct {
	Destination *string `json:"Destination"`
}

// DestinationConfigInput is the DestinationConfig request member; a nil
// side was not sent.
type DestinationConfigInput struct {
	OnSuccess *DestinationInput `json:"OnSuccess"`
	OnFailure *DestinationInput `json:"OnFailure"`
}

// EventInvokeConfigInput is the body of PutFunctionEventInvokeConfig and
// UpdateFunctionEventInvokeConfig; nil members were not sent.
type EventInvokeConfigInput struct {
	MaximumRetryAttempts     *int                    `json:"MaximumRetryAttempts"`
	MaximumEventAgeInSeconds *int                    `json:"MaximumEventAgeInSeconds"`
	DestinationConfig        *DestinationConfigInput `json:"DestinationConfig"`
}

// Empty reports whether no setting was sent, which both Put and Update
// refuse (§6.2). A DestinationConfig counts even when it names no
// destination: AWS accepts {"OnSuccess": {}} and stores empty
// destinations.
func (in *EventInvokeConfigInput) Empty() bool {
	return in.MaximumRetryAttempts == nil && in.MaximumEventAgeInSeconds == nil && in.DestinationConfig == nil
}

// onSuccess and onFailure return the destinations sent ("" when absent).
func (d *DestinationConfigInput) onSuccess() string { return d.OnSuccess.arn() }
func (d *DestinationConfigInput) onFailure() string { return d.OnFailure.arn() }

func (d *DestinationInput) arn() string {
	if d == nil || d.Destination == nil {
		return ""
	}
	return *d.Destination
}

// Stored converts the request member to its stored form.
func (d *DestinationConfigInput) Stored() DestinationConfig {
	if d == nil {
		return DestinationConfig{}
	}
	return DestinationConfig{OnSuccess: Destination{d.onSuccess()}, OnFailure: Destination{d.onFailure()}}
}

// EventInvokeConfig records the constraint failures of a Put/Update
// EventInvokeConfig body in the model's member order: the ranges of §6.2
// and the destination ARN length and pattern (§8.2) at
// "destinationConfig.onSuccess.destination" and
// "destinationConfig.onFailure.destination".
func (v *Violations) EventInvokeConfig(in *EventInvokeConfigInput) {
	v.intRange(in.MaximumRetryAttempts, "maximumRetryAttempts", MinRetryAttempts, MaxRetryAttempts)
	v.intRange(in.MaximumEventAgeInSeconds, "maximumEventAgeInSeconds", MinEventAge, MaxEventAge)
	if d := in.DestinationConfig; d != nil {
		v.destinationARN(d.OnSuccess, "destinationConfig.onSuccess.destination")
		v.destinationARN(d.OnFailure, "destinationConfig.onFailure.destination")
	}
}

func (v *Violations) destinationARN(d *DestinationInput, member string) {
	if d == nil || d.Destination == nil {
		return
	}
	arn := *d.Destination
	if utf16Len(arn) > MaxDestinationARNLen {
		v.Add(arn, member, MaxLen(MaxDestinationARNLen))
	}
	if !destinationARNRe.MatchString(arn) {
		v.Add(arn, member, MatchPattern(DestinationARNRegex))
	}
}

// ValidateEventInvokeConfig runs the checks of a Put/Update
// EventInvokeConfig body that need no lookup, in AWS's order (§8.4): the
// constraints (one ValidationException), then "at least one setting"
// (InvalidParameterValueException, answered even for a missing function,
// §6.2).
func ValidateEventInvokeConfig(in *EventInvokeConfigInput) error {
	var v Violations
	v.EventInvokeConfig(in)
	if err := v.Err(); err != nil {
		return err
	}
	if in.Empty() {
		return ipve("You must specify at least one of error handling or destination setting.")
	}
	return nil
}

// Destination services Lambda delivers asynchronous-invocation records to
// (reference/lambda-api.md §6.3): a Lambda function, an SQS queue, an SNS
// topic, an EventBridge bus, and an S3 bucket for failures only.
var (
	onSuccessServices = map[string]bool{"lambda": true, "sqs": true, "sns": true, "events": true}
	onFailureServices = map[string]bool{"lambda": true, "sqs": true, "sns": true, "events": true, "s3": true}
)

// DestinationService returns the service of a destination ARN ("sqs" for
// arn:aws:sqs:...), or "" when it is not an ARN (a kafka:// URI).
func DestinationService(arn string) string {
	parts := strings.SplitN(arn, ":", 4)
	if len(parts) < 4 || parts[0] != "arn" {
		return ""
	}
	return parts[2]
}

// CheckDestinationServices refuses a destination of a service Lambda
// cannot deliver to on that side, with AWS's rendering of the whole
// config (§6.2): "The provided destination config
// DestinationConfig(onSuccess=OnSuccess(destination=<arn>), onFailure=null)
// is invalid."
func CheckDestinationServices(d *DestinationConfigInput) error {
	if d == nil {
		return nil
	}
	s, f := d.onSuccess(), d.onFailure()
	badSuccess := s != "" && !onSuccessServices[DestinationService(s)]
	badFailure := f != "" && !onFailureServices[DestinationService(f)]
	if badSuccess || badFailure {
		return ipve("The provided destination config %s is invalid.", d.render())
	}
	return nil
}

// render is the Java-style rendering AWS quotes:
// DestinationConfig(onSuccess=OnSuccess(destination=<arn>), onFailure=null).
func (d *DestinationConfigInput) render() string {
	side := func(kind string, in *DestinationInput) string {
		if in == nil {
			return "null"
		}
		arn := "null"
		if in.Destination != nil {
			arn = *in.Destination
		}
		return fmt.Sprintf("%s(destination=%s)", kind, arn)
	}
	return fmt.Sprintf("DestinationConfig(onSuccess=%s, onFailure=%s)",
		side("OnSuccess", d.OnSuccess), side("OnFailure", d.OnFailure))
}

// Destinations lists the destination ARNs sent, OnSuccess first.
func (d *DestinationConfigInput) Destinations() []string {
	if d == nil {
		return nil
	}
	var out []string
	for _, arn := range []string{d.onSuccess(), d.onFailure()} {
		if arn != "" {
			out = append(out, arn)
		}
	}
	return out
}

// ErrDestinationInvalid is the answer for a Lambda destination that does
// not exist (§6.2): "The destination ARN <arn> is invalid."
func ErrDestinationInvalid(arn string) error {
	return ipve("The destination ARN %s is invalid.", arn)
}

// ErrDestinationSelf is the answer for a function named as its own
// destination (§6.2).
func ErrDestinationSelf() error {
	return awserr.New(awserr.InvalidParameterValue, "You can't specify the function as a destination for itself.")
}
