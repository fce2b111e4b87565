// Command gen turns botocore's Lambda model (service-2.json, paginators-1.json,
// waiters-2.json, kept as data under gen/botocore/) into model_gen.go: the
// shapes, operations, paginators and waiters tables that drive the kindling
// CLI, plus one typed call into aws-sdk-go-v2/service/lambda per operation.
//
// It reads local files only. Run it with `go generate ./internal/cli/`.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/kindling-dev/kindling/internal/cli/internal/ojson"
)

// operations exposed by the CLI: the functions/versions/aliases/invoke/
// concurrency/event-invoke-config/tags/account scope, plus permissions,
// function URLs and layers (cheap once the machinery exists).
var included = []string{
	"CreateFunction", "GetFunction", "GetFunctionConfiguration", "ListFunctions",
	"UpdateFunctionCode", "UpdateFunctionConfiguration", "DeleteFunction",
	"PublishVersion", "ListVersionsByFunction",
	"CreateAlias", "GetAlias", "UpdateAlias", "DeleteAlias", "ListAliases",
	"Invoke", "InvokeAsync",
	"GetAccountSettings",
	"TagResource", "UntagResource", "ListTags",
	"PutFunctionConcurrency", "GetFunctionConcurrency", "DeleteFunctionConcurrency",
	"PutFunctionEventInvokeConfig", "GetFunctionEventInvokeConfig", "UpdateFunctionEventInvokeConfig",
	"DeleteFunctionEventInvokeConfig", "ListFunctionEventInvokeConfigs",
	"AddPermission", "GetPolicy", "RemovePermission",
	"CreateFunctionUrlConfig", "GetFunctionUrlConfig", "UpdateFunctionUrlConfig",
	"DeleteFunctionUrlConfig", "ListFunctionUrlConfigs",
	"PublishLayerVersion", "GetLayerVersion", "GetLayerVersionByArn", "ListLayers",
	"ListLayerVersions", "DeleteLayerVersion", "AddLayerVersionPermission",
	"GetLayerVersionPolicy", "RemoveLayerVersionPermission",
}

// noOutput lists operations whose output the AWS CLI v2 (2.9.x model) does
// not print: DeleteFunction only gained a StatusCode output member later.
var noOutput = map[string]bool{"DeleteFunction": true}

func main() {
	dir := flag.String("model", "gen/botocore", "directory with service-2.json, paginators-1.json, waiters-2.json")
	out := flag.String("out", "model_gen.go", "output file")
	flag.Parse()

	svc := mustLoad(filepath.Join(*dir, "service-2.json"))
	pag := mustLoad(filepath.Join(*dir, "paginators-1.json"))
	wai := mustLoad(filepath.Join(*dir, "waiters-2.json"))

	g := &generator{svc: svc, shapes: svc.Get("shapes"), need: map[string]bool{}}
	src := g.run(pag, wai)
	formatted, err := format.Source(src)
	if err != nil {
		os.WriteFile(*out+".broken", src, 0o644)
		log.Fatalf("gofmt: %v", err)
	}
	if err := os.WriteFile(*out, formatted, 0o644); err != nil {
		log.Fatal(err)
	}
}

func mustLoad(path string) *ojson.Value {
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	v, err := ojson.Parse(b)
	if err != nil {
		log.Fatalf("%s: %v", path, err)
	}
	return v
}

type generator struct {
	svc    *ojson.Value
	shapes *ojson.Value
	need   map[string]bool
	buf    bytes.Buffer
}

func (g *generator) p(format string, args ...any) { fmt.Fprintf(&g.buf, format, args...) }

func str(v *ojson.Value) string {
	if v == nil {
		return ""
	}
	return v.Str
}

func (g *generator) mark(name string) {
	if name == "" || g.need[name] {
		return
	}
	g.need[name] = true
	s := g.shapes.Get(name)
	if s == nil {
		log.Fatalf("unknown shape %s", name)
	}
	if ms := s.Get("members"); ms != nil {
		for _, m := range ms.Members {
			g.mark(str(m.Val.Get("shape")))
		}
	}
	if m := s.Get("member"); m != nil {
		g.mark(str(m.Get("shape")))
	}
	if k := s.Get("key"); k != nil {
		g.mark(str(k.Get("shape")))
	}
	if v := s.Get("value"); v != nil {
		g.mark(str(v.Get("shape")))
	}
}

var (
	firstCap   = regexp.MustCompile(`(.)([A-Z][a-z]+)`)
	endCap     = regexp.MustCompile(`([a-z0-9])([A-Z])`)
	specialEnd = regexp.MustCompile(`[A-Z]{2,}s$`)
)

// xformName is botocore's CamelCase -> dashed-name rule.
func xformName(name string) string {
	if strings.Contains(name, "-") {
		return name
	}
	if m := specialEnd.FindString(name); m != "" {
		name = name[:len(name)-len(m)] + "-" + strings.ToLower(m)
	}
	s1 := firstCap.ReplaceAllString(name, "${1}-${2}")
	return strings.ToLower(endCap.ReplaceAllString(s1, "${1}-${2}"))
}

var (
	tagRE   = regexp.MustCompile(`<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// summary is the first sentence of a model documentation string, as text.
func summary(doc string) string {
	t := tagRE.ReplaceAllString(doc, " ")
	t = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&quot;", `"`).Replace(t)
	t = strings.TrimSpace(spaceRE.ReplaceAllString(t, " "))
	t = strings.ReplaceAll(t, " .", ".")
	t = strings.ReplaceAll(t, " ,", ",")
	if i := strings.Index(t, ". "); i >= 0 {
		t = t[:i+1]
	}
	if len(t) > 160 {
		cut := strings.LastIndex(t[:157], " ")
		if cut < 80 {
			cut = 157
		}
		t = t[:cut] + "..."
	}
	return t
}

func (g *generator) run(pag, wai *ojson.Value) []byte {
	ops := g.svc.Get("operations")
	for _, name := range included {
		op := ops.Get(name)
		if op == nil {
			log.Fatalf("operation %s not in model", name)
		}
		g.mark(str(op.Get("input").Get("shape")))
		if !noOutput[name] {
			g.mark(str(op.Get("output").Get("shape")))
		}
	}
	waiterOps := map[string]bool{}
	for _, w := range wai.Get("waiters").Members {
		waiterOps[str(w.Val.Get("operation"))] = true
	}

	g.p("// Code generated by go run ./gen; DO NOT EDIT.\n")
	g.p("// Source: botocore's Lambda model %s (gen/botocore/).\n\n", str(g.svc.Get("metadata").Get("apiVersion")))
	g.p("package cli\n\n")
	g.p("import (\n\"bytes\"\n\"context\"\n\"encoding/json\"\n\n\"github.com/aws/aws-sdk-go-v2/service/lambda\"\n)\n\n")

	// shapes
	names := make([]string, 0, len(g.need))
	for n := range g.need {
		names = append(names, n)
	}
	sort.Strings(names)
	g.p("var modelShapes = map[string]*shape{\n")
	for _, n := range names {
		g.shape(n, g.shapes.Get(n))
	}
	g.p("}\n\n")

	// operations
	g.p("var modelOperations = []*operation{\n")
	for _, name := range included {
		op := ops.Get(name)
		http := op.Get("http")
		g.p("{Name: %q, CLIName: %q, Method: %q, URI: %q, Input: %q, ", name, xformName(name),
			str(http.Get("method")), str(http.Get("requestUri")), str(op.Get("input").Get("shape")))
		if !noOutput[name] {
			g.p("Output: %q, ", str(op.Get("output").Get("shape")))
		}
		if d := op.Get("deprecated"); d != nil && d.Bool {
			g.p("Deprecated: true, ")
		}
		g.p("Doc: %q, ", summary(str(op.Get("documentation"))))
		if pc := pag.Get("pagination").Get(name); pc != nil {
			g.p("Paginator: &paginator{InputToken: %q, OutputToken: %q, LimitKey: %q, ResultKey: %q}, ",
				str(pc.Get("input_token")), str(pc.Get("output_token")), str(pc.Get("limit_key")), str(pc.Get("result_key")))
		}
		g.p("Call: call%s},\n", name)
	}
	for n := range waiterOps {
		found := false
		for _, i := range included {
			found = found || i == n
		}
		if !found {
			log.Fatalf("waiter operation %s is not included", n)
		}
	}
	g.p("}\n\n")

	// waiters
	g.p("var modelWaiters = []*waiter{\n")
	for _, w := range wai.Get("waiters").Members {
		v := w.Val
		g.p("{Name: %q, CLIName: %q, Operation: %q, Delay: %s, MaxAttempts: %s, Doc: %q, Acceptors: []acceptor{\n",
			w.Key, xformName(w.Key), str(v.Get("operation")), str(v.Get("delay")), str(v.Get("maxAttempts")), summary(str(v.Get("description"))))
		for _, a := range v.Get("acceptors").Arr {
			exp := a.Get("expected")
			lit := exp.Str
			switch exp.Kind {
			case ojson.String:
				lit = strconv.Quote(exp.Str)
			case ojson.Bool:
				lit = strconv.FormatBool(exp.Bool)
			}
			g.p("{State: %q, Matcher: %q, Argument: %q, Expected: %q},\n", str(a.Get("state")), str(a.Get("matcher")), str(a.Get("argument")), lit)
		}
		g.p("}},\n")
	}
	g.p("}\n\n")

	// SDK calls
	for _, name := range included {
		op := ops.Get(name)
		in := g.shapes.Get(str(op.Get("input").Get("shape")))
		var streams []string
		for _, m := range in.Get("members").Members {
			ms := g.shapes.Get(str(m.Val.Get("shape")))
			if str(ms.Get("type")) == "blob" && ms.Get("streaming") != nil && ms.Get("streaming").Bool {
				streams = append(streams, m.Key)
			}
		}
		g.p("func call%s(ctx context.Context, c *lambda.Client, in []byte, optFns ...func(*lambda.Options)) (any, error) {\n", name)
		if len(streams) == 0 {
			g.p("var params lambda.%sInput\n", name)
			g.p("if err := json.Unmarshal(in, &params); err != nil {\nreturn nil, err\n}\n")
			g.p("return c.%s(ctx, &params, optFns...)\n}\n\n", name)
			continue
		}
		// Streaming blob members are io.Readers in the SDK: decode them
		// as []byte beside the input and wrap them.
		g.p("var aux struct {\nlambda.%sInput\n", name)
		for _, s := range streams {
			g.p("%s []byte\n", s)
		}
		g.p("}\n")
		g.p("if err := json.Unmarshal(in, &aux); err != nil {\nreturn nil, err\n}\n")
		g.p("params := aux.%sInput\n", name)
		for _, s := range streams {
			g.p("params.%s = bytes.NewReader(aux.%s)\n", s, s)
		}
		g.p("return c.%s(ctx, &params, optFns...)\n}\n\n", name)
	}
	return g.buf.Bytes()
}

func (g *generator) shape(name string, s *ojson.Value) {
	typ := str(s.Get("type"))
	g.p("%q: {Name: %q, Type: %q", name, name, typ)
	if min := s.Get("min"); min != nil {
		g.p(", HasMin: true, Min: %q", min.Str)
	}
	if st := s.Get("streaming"); st != nil && st.Bool {
		g.p(", Streaming: true")
	}
	if p := s.Get("payload"); p != nil {
		g.p(", Payload: %q", p.Str)
	}
	if e := s.Get("enum"); e != nil {
		g.p(", Enum: []string{")
		for _, x := range e.Arr {
			g.p("%q,", x.Str)
		}
		g.p("}")
	}
	if r := s.Get("required"); r != nil && len(r.Arr) > 0 {
		g.p(", Required: []string{")
		for _, x := range r.Arr {
			g.p("%q,", x.Str)
		}
		g.p("}")
	}
	if m := s.Get("member"); m != nil {
		g.p(", ListMember: %q", str(m.Get("shape")))
	}
	if k := s.Get("key"); k != nil {
		g.p(", MapKey: %q, MapValue: %q", str(k.Get("shape")), str(s.Get("value").Get("shape")))
	}
	if ms := s.Get("members"); ms != nil {
		g.p(", Members: []member{\n")
		for _, m := range ms.Members {
			v := m.Val
			g.p("{Name: %q, CLIName: %q, Shape: %q", m.Key, xformName(m.Key), str(v.Get("shape")))
			if l := v.Get("location"); l != nil {
				g.p(", Location: %q", l.Str)
			}
			if l := v.Get("locationName"); l != nil {
				g.p(", LocationName: %q", l.Str)
			}
			if t := v.Get("idempotencyToken"); t != nil && t.Bool {
				g.p(", IdempotencyToken: true")
			}
			if d := v.Get("deprecated"); d != nil && d.Bool {
				g.p(", Deprecated: true")
			}
			if d := summary(str(v.Get("documentation"))); d != "" {
				g.p(", Doc: %q", d)
			}
			g.p("},\n")
		}
		g.p("}")
	}
	g.p("},\n")
}
