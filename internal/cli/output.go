package cli

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/kindling-dev/kindling/internal/cli/internal/ojson"
)

// parseOutput builds the response the AWS CLI prints from the raw HTTP
// response: header and status-code members first, then body members, each
// group in model order; only members present; maps in wire order.
func parseOutput(op *operation, raw *rawResponse) (*ojson.Value, error) {
	out := ojson.NewObject()
	if op.Output == "" {
		return out, nil
	}
	sh := shapeOf(op.Output)
	for _, m := range sh.Members {
		switch m.Location {
		case "statusCode":
			out.Set(m.Name, ojson.NewNumber(strconv.Itoa(raw.status)))
		case "header":
			name := m.LocationName
			if name == "" {
				name = m.Name
			}
			if vals, ok := raw.header[http.CanonicalHeaderKey(name)]; ok && len(vals) > 0 {
				out.Set(m.Name, parseHeaderValue(strings.Join(vals, ","), shapeOf(m.Shape)))
			}
		case "headers":
			prefix := strings.ToLower(m.LocationName)
			mv := ojson.NewObject()
			for k, vals := range raw.header {
				if strings.HasPrefix(strings.ToLower(k), prefix) {
					mv.Set(k[len(prefix):], ojson.NewString(strings.Join(vals, ",")))
				}
			}
			out.Set(m.Name, mv)
		}
	}
	if sh.Payload != "" {
		pm := sh.member(sh.Payload)
		ps := shapeOf(pm.Shape)
		if ps.Type == "blob" || ps.Type == "string" {
			out.Set(pm.Name, ojson.NewString(string(raw.body)))
			return out, nil
		}
		body := parseBodyJSON(raw.body)
		out.Set(pm.Name, parseShape(body, ps))
		return out, nil
	}
	body := parseShape(parseBodyJSON(raw.body), sh)
	if body != nil && body.Kind == ojson.Object {
		for _, m := range body.Members {
			out.Set(m.Key, m.Val)
		}
	}
	return out, nil
}

func parseBodyJSON(b []byte) *ojson.Value {
	if len(b) == 0 {
		return ojson.NewObject()
	}
	v, err := ojson.Parse(b)
	if err != nil {
		o := ojson.NewObject()
		o.Set("message", ojson.NewString(string(b)))
		return o
	}
	return v
}

func parseHeaderValue(s string, sh *shape) *ojson.Value {
	switch sh.Type {
	case "integer", "long":
		if _, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			return ojson.NewNumber(strings.TrimSpace(s))
		}
	case "boolean":
		return &ojson.Value{Kind: ojson.Bool, Bool: s == "true"}
	case "timestamp":
		return ojson.NewString(isoTimestamp(ojson.NewString(s)))
	}
	return ojson.NewString(s)
}

// parseShape walks a JSON value with the model the way botocore's parser does.
func parseShape(v *ojson.Value, sh *shape) *ojson.Value {
	if v == nil {
		return nil
	}
	switch sh.Type {
	case "structure":
		if v.Kind != ojson.Object {
			return v
		}
		out := ojson.NewObject()
		for _, m := range sh.Members {
			name := m.Name
			if m.Location == "" && m.LocationName != "" {
				name = m.LocationName
			}
			raw := v.Get(name)
			if raw == nil || raw.Kind == ojson.Null {
				continue
			}
			out.Set(m.Name, parseShape(raw, shapeOf(m.Shape)))
		}
		return out
	case "list":
		if v.Kind != ojson.Array {
			return v
		}
		items := make([]*ojson.Value, len(v.Arr))
		ms := shapeOf(sh.ListMember)
		for i, it := range v.Arr {
			items[i] = parseShape(it, ms)
		}
		return ojson.NewArray(items)
	case "map":
		if v.Kind != ojson.Object {
			return v
		}
		out := ojson.NewObject()
		vs := shapeOf(sh.MapValue)
		for _, m := range v.Members {
			out.Set(m.Key, parseShape(m.Val, vs))
		}
		return out
	case "timestamp":
		if v.Kind == ojson.Null {
			return v
		}
		return ojson.NewString(isoTimestamp(v))
	}
	return v
}

// isoTimestamp renders a timestamp as the AWS CLI v2 does by default
// (cli_timestamp_format=iso8601): Python's datetime.isoformat() of the value,
// epoch numbers in the local time zone.
func isoTimestamp(v *ojson.Value) string {
	text := v.Str
	if f, err := strconv.ParseFloat(strings.TrimSpace(text), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		sec, frac := math.Modf(f)
		us := math.RoundToEven(frac * 1e6)
		if us >= 1e6 {
			sec++
			us -= 1e6
		} else if us < 0 {
			sec--
			us += 1e6
		}
		t := time.Unix(int64(sec), int64(us)*1000).In(time.Local)
		return pyISOFormat(t)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05Z0700", time.RFC1123, time.RFC1123Z} {
		if t, err := time.Parse(layout, text); err == nil {
			return pyISOFormat(t)
		}
	}
	return text
}

func pyISOFormat(t time.Time) string {
	s := t.Format("2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	s += fmt.Sprintf("%s%02d:%02d", sign, off/3600, off%3600/60)
	if off%60 != 0 {
		s += fmt.Sprintf(":%02d", off%60)
	}
	return s
}

// serviceErrorInfo extracts the error code and message as botocore does.
func serviceErrorInfo(raw *rawResponse) (code, message string) {
	body := parseBodyJSON(raw.body)
	if body.Kind != ojson.Object {
		body = ojson.NewObject()
	}
	if m := body.Get("message"); m != nil {
		message = pyScalarText(m)
	} else if m := body.Get("Message"); m != nil {
		message = pyScalarText(m)
	}
	code = strconv.Itoa(raw.status)
	if t := body.Get("__type"); t != nil {
		code = pyScalarText(t)
		if i := strings.LastIndex(code, "#"); i >= 0 {
			code = code[i+1:]
		}
	}
	if h := raw.header.Get("X-Amzn-Errortype"); h != "" {
		code, _, _ = strings.Cut(h, ":")
	} else if c := body.Get("code"); c != nil {
		code = pyScalarText(c)
	} else if c := body.Get("Code"); c != nil {
		code = pyScalarText(c)
	}
	return code, message
}

// callError renders a failed call as the AWS CLI does.
func (r *runner) callError(op *operation, res *callResult) error {
	if errors.Is(res.err, context.Canceled) {
		return res.err
	}
	if res.raw.got && res.raw.status >= 300 {
		code, msg := serviceErrorInfo(res.raw)
		retryInfo := ""
		var mae *retry.MaxAttemptsError
		if errors.As(res.err, &mae) {
			retryInfo = fmt.Sprintf(" (reached max retries: %d)", mae.Attempt-1)
		}
		return &cliError{rcClientError, fmt.Sprintf("An error occurred (%s) when calling the %s operation%s: %s", code, op.Name, retryInfo, msg)}
	}
	var ne net.Error
	if errors.As(res.err, &ne) {
		if ne.Timeout() && res.raw.url != "" {
			return generalError(fmt.Sprintf("Read timeout on endpoint URL: \"%s\"", res.raw.url))
		}
		if res.raw.url != "" {
			return generalError(fmt.Sprintf("Could not connect to the endpoint URL: \"%s\"", res.raw.url))
		}
	}
	var oe *net.OpError
	if errors.As(res.err, &oe) && res.raw.url != "" {
		return generalError(fmt.Sprintf("Could not connect to the endpoint URL: \"%s\"", res.raw.url))
	}
	return generalError(res.err.Error())
}

// pyScalarText is Python's str() of a JSON scalar.
func pyScalarText(v *ojson.Value) string {
	switch v.Kind {
	case ojson.String:
		return v.Str
	case ojson.Number:
		return pyNumberText(v.Str, false)
	case ojson.Bool:
		if v.Bool {
			return "True"
		}
		return "False"
	case ojson.Null:
		return "None"
	}
	return pyReprValue(v)
}

// pyReprValue is Python's repr() of a JSON-derived value.
func pyReprValue(v *ojson.Value) string {
	switch v.Kind {
	case ojson.String:
		return pyStrRepr(v.Str)
	case ojson.Array:
		parts := make([]string, len(v.Arr))
		for i, it := range v.Arr {
			parts[i] = pyReprValue(it)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case ojson.Object:
		parts := make([]string, len(v.Members))
		for i, m := range v.Members {
			parts[i] = pyStrRepr(m.Key) + ": " + pyReprValue(m.Val)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return pyScalarText(v)
}

// pyJSONDumps renders v as json.dumps(v, indent=4, ensure_ascii=False).
func pyJSONDumps(v *ojson.Value) string {
	var b strings.Builder
	dumpValue(&b, v, 0)
	return b.String()
}

func dumpValue(b *strings.Builder, v *ojson.Value, level int) {
	if v == nil {
		b.WriteString("null")
		return
	}
	switch v.Kind {
	case ojson.Null:
		b.WriteString("null")
	case ojson.Bool:
		if v.Bool {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case ojson.Number:
		b.WriteString(pyNumberText(v.Str, true))
	case ojson.String:
		b.WriteString(pyJSONString(v.Str))
	case ojson.Array:
		if len(v.Arr) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[")
		for i, it := range v.Arr {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n" + strings.Repeat("    ", level+1))
			dumpValue(b, it, level+1)
		}
		b.WriteString("\n" + strings.Repeat("    ", level) + "]")
	case ojson.Object:
		if len(v.Members) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{")
		for i, m := range v.Members {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n" + strings.Repeat("    ", level+1))
			b.WriteString(pyJSONString(m.Key))
			b.WriteString(": ")
			dumpValue(b, m.Val, level+1)
		}
		b.WriteString("\n" + strings.Repeat("    ", level) + "}")
	}
}

// display applies --query and prints the response in the chosen format.
func (r *runner) display(op *operation, out *ojson.Value) error {
	v := out
	if r.g.query != "" {
		q, err := compileQuery(r.g.query)
		if err != nil {
			return err
		}
		v = q.search(out)
	}
	switch r.g.output {
	case "text":
		fmt.Fprint(r.stdout, formatText(v))
	case "table":
		fmt.Fprint(r.stdout, formatTable(op.Name, v, r.g.color == "on"))
	case "yaml", "yaml-stream":
		return generalError("--output " + r.g.output + " is not supported by kindling; use json, text or table")
	default:
		if v != nil && v.Kind == ojson.Object && len(v.Members) == 0 {
			return nil
		}
		fmt.Fprintln(r.stdout, pyJSONDumps(v))
	}
	return nil
}
