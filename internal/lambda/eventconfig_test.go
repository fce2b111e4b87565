package lambda

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kindling-dev/kindling/internal/awserr"
)

// lambda-api.md §8.2 Destination ARN, as the ValidationException quotes it.
const refDestinationRegex = `$|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)`

func dest(arn string) *DestinationInput { return &DestinationInput{Destination: strp(arn)} }

func wantAWSErr(t *testing.T, err error, code awserr.Code, msg string) {
	t.Helper()
	var ae *awserr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v, want %s %q", err, code, msg)
	}
	if ae.Code != code || ae.Message != msg {
		t.Fatalf("got %s %q\nwant %s %q", ae.Code, ae.Message, code, msg)
	}
}

func TestValidateEventInvokeConfigOK(t *testing.T) {
	for _, in := range []*EventInvokeConfigInput{
		{MaximumRetryAttempts: intp(0)},
		{MaximumRetryAttempts: intp(2), MaximumEventAgeInSeconds: intp(21600)},
		{MaximumEventAgeInSeconds: intp(60)},
		// lambda-api.md §6.2 (LS put_destination_success_no_destination_arn):
		// a DestinationConfig without an ARN is a setting.
		{DestinationConfig: &DestinationConfigInput{OnSuccess: &DestinationInput{}}},
		{DestinationConfig: &DestinationConfigInput{OnFailure: dest("")}},
		{DestinationConfig: &DestinationConfigInput{
			OnSuccess: dest("arn:aws:sqs:us-east-1:111111111111:q"),
			OnFailure: dest("arn:aws:s3:::bucket"),
		}},
		{DestinationConfig: &DestinationConfigInput{OnFailure: dest("arn:aws-cn:sns:cn-north-1:111111111111:t")}},
	} {
		if err := ValidateEventInvokeConfig(in); err != nil {
			t.Errorf("%+v: %v", in, err)
		}
	}
}

func TestValidateEventInvokeConfigErrors(t *testing.T) {
	bad := "arn:aws:_-/!lambda:us-east-1:111111111111:function:f"
	long := "arn:aws:sqs:us-east-1:111111111111:" + strings.Repeat("q", 320)
	cases := []struct {
		name string
		in   *EventInvokeConfigInput
		code awserr.Code
		msg  string
	}{
		// lambda-api.md §6.2 and §8.3 (moto wording).
		{"retries too high", &EventInvokeConfigInput{MaximumRetryAttempts: intp(5)}, awserr.Validation,
			veMsg("5", "maximumRetryAttempts", "Member must have value less than or equal to 2")},
		{"retries negative", &EventInvokeConfigInput{MaximumRetryAttempts: intp(-1)}, awserr.Validation,
			veMsg("-1", "maximumRetryAttempts", "Member must have value greater than or equal to 0")},
		{"age too high", &EventInvokeConfigInput{MaximumEventAgeInSeconds: intp(44444)}, awserr.Validation,
			veMsg("44444", "maximumEventAgeInSeconds", "Member must have value less than or equal to 21600")},
		{"age too low", &EventInvokeConfigInput{MaximumEventAgeInSeconds: intp(59)}, awserr.Validation,
			veMsg("59", "maximumEventAgeInSeconds", "Member must have value greater than or equal to 60")},
		// lambda-api.md §6.2: the ARN regex of §8.2 at the member path.
		{"failure arn pattern", &EventInvokeConfigInput{DestinationConfig: &DestinationConfigInput{OnFailure: dest(bad)}}, awserr.Validation,
			veMsg(bad, "destinationConfig.onFailure.destination", "Member must satisfy regular expression pattern: "+refDestinationRegex)},
		{"success arn pattern", &EventInvokeConfigInput{DestinationConfig: &DestinationConfigInput{OnSuccess: dest("not-an-arn")}}, awserr.Validation,
			veMsg("not-an-arn", "destinationConfig.onSuccess.destination", "Member must satisfy regular expression pattern: "+refDestinationRegex)},
		// botocore model: DestinationArn max 350.
		{"arn too long", &EventInvokeConfigInput{DestinationConfig: &DestinationConfigInput{OnSuccess: dest(long)}}, awserr.Validation,
			veMsg(long, "destinationConfig.onSuccess.destination", "Member must have length less than or equal to 350")},
		// lambda-api.md §8.3: several failures in one message, joined by "; ".
		{"two failures", &EventInvokeConfigInput{MaximumRetryAttempts: intp(3), MaximumEventAgeInSeconds: intp(1)}, awserr.Validation,
			"2 validation errors detected: " +
				"Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2; " +
				"Value '1' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60"},
		// lambda-api.md §6.2: nothing to set.
		{"empty", &EventInvokeConfigInput{}, awserr.InvalidParameterValue,
			"You must specify at least one of error handling or destination setting."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantAWSErr(t, ValidateEventInvokeConfig(c.in), c.code, c.msg)
		})
	}
}

func TestCheckDestinationServices(t *testing.T) {
	for _, ok := range []*DestinationConfigInput{
		nil,
		{OnSuccess: dest("arn:aws:lambda:us-east-1:111111111111:function:f")},
		{OnSuccess: dest("arn:aws:sqs:us-east-1:111111111111:q"), OnFailure: dest("arn:aws:sns:us-east-1:111111111111:t")},
		{OnSuccess: dest("arn:aws:events:us-east-1:111111111111:event-bus/default")},
		{OnFailure: dest("arn:aws:s3:::bucket")},
		{OnSuccess: &DestinationInput{}, OnFailure: dest("")},
	} {
		if err := CheckDestinationServices(ok); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
	iam := "arn:aws:iam:us-east-1:111111111111:function:f"
	cases := []struct {
		in  *DestinationConfigInput
		msg string
	}{
		// lambda-api.md §6.2 (LS put_destination_invalid_service_arn), verbatim.
		{&DestinationConfigInput{OnSuccess: dest(iam)},
			"The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=" + iam + "), onFailure=null) is invalid."},
		{&DestinationConfigInput{OnFailure: dest(iam)},
			"The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination=" + iam + ")) is invalid."},
		// S3 only on failure (lambda-api.md §6.3).
		{&DestinationConfigInput{OnSuccess: dest("arn:aws:s3:::b"), OnFailure: dest("arn:aws:sqs:us-east-1:111111111111:q")},
			"The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=arn:aws:s3:::b), onFailure=OnFailure(destination=arn:aws:sqs:us-east-1:111111111111:q)) is invalid."},
		// Kafka URIs pass the pattern but are for event source mappings.
		{&DestinationConfigInput{OnFailure: dest("kafka://topic"), OnSuccess: &DestinationInput{}},
			"The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=null), onFailure=OnFailure(destination=kafka://topic)) is invalid."},
	}
	for _, c := range cases {
		wantAWSErr(t, CheckDestinationServices(c.in), awserr.InvalidParameterValue, c.msg)
	}
}

func TestEventInvokeConfigFor(t *testing.T) {
	now := time.Now()
	f := &Function{EventInvokeConfigs: map[string]EventInvokeConfig{
		LatestVersion: {MaximumRetryAttempts: intp(0), LastModified: now},
		"prod":        {MaximumEventAgeInSeconds: intp(60), DestinationConfig: DestinationConfig{OnFailure: Destination{"arn:aws:sqs:us-east-1:111111111111:q"}}},
	}}
	for _, q := range []string{"", LatestVersion} {
		c, ok := f.EventInvokeConfigFor(q)
		if !ok || c.RetryAttempts() != 0 || c.MaxEventAge() != 6*time.Hour {
			t.Errorf("%q: %+v %v", q, c, ok)
		}
	}
	c, ok := f.EventInvokeConfigFor("prod")
	if !ok || c.RetryAttempts() != 2 || c.MaxEventAge() != time.Minute || c.DestinationConfig.OnFailure.Destination == "" {
		t.Errorf("prod: %+v %v", c, ok)
	}
	// Per qualifier, no fallback (lambda-api.md §10.1 item 16).
	if c, ok := f.EventInvokeConfigFor("1"); ok || c.RetryAttempts() != 2 || c.MaxEventAge() != 6*time.Hour {
		t.Errorf("version without a config: %+v %v", c, ok)
	}
	var empty Function
	if _, ok := empty.EventInvokeConfigFor(""); ok {
		t.Error("function without configs")
	}
}

func TestEventInvokeConfigNotPublished(t *testing.T) {
	// lambda-api.md §10.1 item 16: publishing does not copy the config, and
	// a clone keeps it intact.
	f := &Function{Name: "f", Latest: Version{Config: FunctionConfiguration{FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f"}},
		EventInvokeConfigs: map[string]EventInvokeConfig{LatestVersion: {MaximumRetryAttempts: intp(1)}}}
	v, _ := f.Publish(nil, time.Now())
	if _, ok := f.EventInvokeConfigFor(v.Config.Version); ok {
		t.Fatal("new version inherited $LATEST's config")
	}
	c := f.Clone()
	*c.EventInvokeConfigs[LatestVersion].MaximumRetryAttempts = 2
	if got, _ := f.EventInvokeConfigFor(""); got.RetryAttempts() != 1 {
		t.Fatal("clone shares the config")
	}
}

func TestDestinationConfigRendering(t *testing.T) {
	// lambda-api.md §6.2: both sides always present, {} when unset.
	var d *DestinationConfigInput
	if got := d.Stored(); got != (DestinationConfig{}) {
		t.Fatalf("nil: %+v", got)
	}
	in := &DestinationConfigInput{OnFailure: dest("arn:aws:sqs:us-east-1:111111111111:q")}
	if got := in.Stored(); got.OnSuccess.Destination != "" || got.OnFailure.Destination != "arn:aws:sqs:us-east-1:111111111111:q" {
		t.Fatalf("stored %+v", got)
	}
	if got := in.Destinations(); len(got) != 1 {
		t.Fatalf("destinations %v", got)
	}
}
