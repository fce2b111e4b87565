package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// DefaultEndpoint is used when neither --endpoint-url nor AWS_ENDPOINT_URL(_LAMBDA) is set.
const DefaultEndpoint = "http://127.0.0.1:9070"

// serverCredentials is the key file a local `kindling serve` writes into its data dir.
type serverCredentials struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
}

// endpoint resolves the Lambda endpoint URL.
func (r *runner) endpoint() string {
	if r.g.endpointURL != "" {
		return r.g.endpointURL
	}
	for _, k := range []string{"AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL"} {
		if v := r.env(k); v != "" {
			return v
		}
	}
	return DefaultEndpoint
}

// dataDir is the local server's data directory.
func (r *runner) dataDir() string {
	if d := r.env("KINDLING_DATA_DIR"); d != "" {
		return d
	}
	base := r.env("XDG_DATA_HOME")
	if base == "" {
		base = filepath.Join(r.home(), ".local", "share")
	}
	return filepath.Join(base, "kindling")
}

func (r *runner) home() string {
	if h := r.env("HOME"); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
}

func (r *runner) sharedFiles() (creds, conf []string) {
	creds = []string{filepath.Join(r.home(), ".aws", "credentials")}
	if f := r.env("AWS_SHARED_CREDENTIALS_FILE"); f != "" {
		creds = []string{f}
	}
	conf = []string{filepath.Join(r.home(), ".aws", "config")}
	if f := r.env("AWS_CONFIG_FILE"); f != "" {
		conf = []string{f}
	}
	return creds, conf
}

// loadProfile loads a named profile with the SDK's shared-config loader
// (static keys, SSO, assume-role, credential_process...).
func (r *runner) loadProfile(ctx context.Context, profile, region string) (aws.Config, error) {
	cf, sf := r.sharedFiles()
	opts := []func(*config.LoadOptions) error{
		config.WithSharedConfigProfile(profile),
		config.WithSharedCredentialsFiles(cf),
		config.WithSharedConfigFiles(sf),
		config.WithEC2IMDSClientEnableState(imds.ClientDisabled),
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		var nf config.SharedConfigProfileNotExistError
		if errors.As(err, &nf) {
			return cfg, generalError(fmt.Sprintf("The config profile (%s) could not be found", profile))
		}
		return cfg, generalError(err.Error())
	}
	return cfg, nil
}

// resolveClientConfig applies the conventions of ARCHITECTURE.md: credentials
// from --profile, then AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, then the local
// server's generated key file, then ~/.aws; region from --region,
// AWS_DEFAULT_REGION/AWS_REGION, the profile, else us-east-1.
func (r *runner) resolveClientConfig(ctx context.Context) (aws.CredentialsProvider, string, error) {
	region := r.g.region
	if region == "" {
		region = r.env("AWS_DEFAULT_REGION")
	}
	if region == "" {
		region = r.env("AWS_REGION")
	}
	finish := func(p aws.CredentialsProvider, profileRegion string) (aws.CredentialsProvider, string, error) {
		if region == "" {
			region = profileRegion
		}
		if region == "" {
			region = "us-east-1"
		}
		return p, region, nil
	}
	if !r.g.signRequest {
		return finish(aws.AnonymousCredentials{}, "")
	}
	if r.g.profile != "" {
		cfg, err := r.loadProfile(ctx, r.g.profile, region)
		if err != nil {
			return nil, "", err
		}
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			return nil, "", noCredentials()
		}
		return finish(cfg.Credentials, cfg.Region)
	}
	if ak, sk := r.env("AWS_ACCESS_KEY_ID"), r.env("AWS_SECRET_ACCESS_KEY"); ak != "" && sk != "" {
		return finish(credentials.NewStaticCredentialsProvider(ak, sk, r.env("AWS_SESSION_TOKEN")), "")
	}
	if b, err := os.ReadFile(filepath.Join(r.dataDir(), "credentials.json")); err == nil {
		var sc serverCredentials
		if json.Unmarshal(b, &sc) == nil && sc.AccessKeyID != "" && sc.SecretAccessKey != "" {
			return finish(credentials.NewStaticCredentialsProvider(sc.AccessKeyID, sc.SecretAccessKey, ""), "")
		}
	}
	profile := r.env("AWS_PROFILE")
	explicit := profile != ""
	if !explicit {
		profile = "default"
	}
	cfg, err := r.loadProfile(ctx, profile, region)
	if err != nil {
		if explicit {
			return nil, "", err
		}
		return nil, "", noCredentials()
	}
	if cfg.Credentials == nil {
		return nil, "", noCredentials()
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, "", noCredentials()
	}
	return finish(cfg.Credentials, cfg.Region)
}

func noCredentials() error {
	return &cliError{rcConfiguration, `Unable to locate credentials. You can configure credentials by running "aws configure".`}
}

// newClient builds the SDK client. Retries: the SDK's standard retryer,
// 3 attempts in all, as the AWS CLI v2's default ("standard") mode.
func (r *runner) newClient(ctx context.Context) (*lambda.Client, error) {
	creds, region, err := r.resolveClientConfig(ctx)
	if err != nil {
		return nil, err
	}
	if r.g.region != "" && !validRegion(r.g.region) {
		return nil, generalError(fmt.Sprintf("Provided region_name '%s' doesn't match a supported format.", r.g.region))
	}
	opts := lambda.Options{
		Region:           region,
		Credentials:      creds,
		BaseEndpoint:     aws.String(r.endpoint()),
		HTTPClient:       r.httpClient(),
		RetryMaxAttempts: 3,
		RetryMode:        aws.RetryModeStandard,
	}
	if r.g.debug {
		opts.ClientLogMode = aws.LogRequestWithBody | aws.LogResponseWithBody | aws.LogRetries
		opts.Logger = logging.NewStandardLogger(r.stderr)
	}
	return lambda.New(opts), nil
}

// httpClient is the HTTP client of every request: --cli-read-timeout,
// --cli-connect-timeout, --no-verify-ssl and --ca-bundle applied.
func (r *runner) httpClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		if r.g.readTimeout > 0 {
			t.ResponseHeaderTimeout = time.Duration(r.g.readTimeout) * time.Second
		}
		if !r.g.verifySSL || r.g.caBundle != "" {
			if t.TLSClientConfig == nil {
				t.TLSClientConfig = &tls.Config{}
			}
			t.TLSClientConfig.InsecureSkipVerify = !r.g.verifySSL
			if r.g.caBundle != "" {
				if pem, err := os.ReadFile(r.expandPath(r.g.caBundle)); err == nil {
					pool := x509.NewCertPool()
					pool.AppendCertsFromPEM(pem)
					t.TLSClientConfig.RootCAs = pool
				}
			}
		}
	}).WithDialerOptions(func(d *net.Dialer) {
		if r.g.connectTimeout > 0 {
			d.Timeout = time.Duration(r.g.connectTimeout) * time.Second
		}
	})
}

func validRegion(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return s != ""
}

// rawResponse is the last HTTP exchange of an SDK call, captured below the
// SDK's deserializer so the CLI can render exactly what the server sent.
type rawResponse struct {
	attempts int
	url      string
	status   int
	header   http.Header
	body     []byte
	got      bool
}

func (c *rawResponse) middleware(stack *middleware.Stack) error {
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("KindlingCaptureResponse",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			c.attempts++
			c.got = false
			if req, ok := in.Request.(*smithyhttp.Request); ok {
				u := *req.URL
				c.url = u.String()
			}
			out, md, err := next.HandleDeserialize(ctx, in)
			if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp != nil && resp.Response != nil {
				var body []byte
				if resp.Body != nil {
					var rerr error
					body, rerr = io.ReadAll(resp.Body)
					resp.Body.Close()
					if rerr != nil && err == nil {
						err = rerr
					}
					resp.Body = io.NopCloser(bytes.NewReader(body))
				}
				c.got, c.status, c.header, c.body = true, resp.StatusCode, resp.Header.Clone(), body
			}
			return out, md, err
		}), middleware.After)
}

// callResult is the outcome of one operation call.
type callResult struct {
	raw *rawResponse
	err error
}

// call runs one operation through the SDK with params rendered as JSON.
func (r *runner) call(ctx context.Context, op *operation, params *pv) *callResult {
	var b strings.Builder
	params.toJSON(&b)
	raw := &rawResponse{}
	_, err := op.Call(ctx, r.client, []byte(b.String()), func(o *lambda.Options) {
		o.APIOptions = append(o.APIOptions, raw.middleware)
	})
	return &callResult{raw: raw, err: err}
}

// profileSetting reads one CLI setting (output, cli_binary_format) of the
// active profile from the shared config file, as the AWS CLI does.
func (r *runner) profileSetting(key string) string {
	profile := r.g.profile
	if profile == "" {
		profile = r.env("AWS_PROFILE")
	}
	if profile == "" {
		profile = "default"
	}
	_, conf := r.sharedFiles()
	b, err := os.ReadFile(conf[0])
	if err != nil {
		return ""
	}
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			name := strings.TrimSpace(line[1 : len(line)-1])
			in = name == profile && profile == "default" || name == "profile "+profile
			continue
		}
		if !in || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
