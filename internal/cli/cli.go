// Package cli implements the `kindling <operation>` commands: an AWS CLI v2
// compatible client for the Lambda API, built on aws-sdk-go-v2/service/lambda.
//
// Operations, flags, validation and output order come from botocore's Lambda
// model (see model_gen.go and gen/). Arguments are parsed into parameters the
// way the AWS CLI does (shorthand, JSON, file:// and fileb://, base64 blobs),
// the parameters are decoded into the SDK's input struct and sent with the
// SDK, and the response is printed from the raw HTTP response in model member
// order, as the AWS CLI prints it.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// Main runs one `kindling <operation> [flags]` command and returns the process exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	if env == nil {
		env = os.Getenv
	}
	r := &runner{stdin: stdin, stdout: stdout, stderr: stderr, env: env}
	return r.exitCode(r.run(ctx, args))
}

// exitCode prints err as the AWS CLI does ("\n<message>\n" on stderr) and
// returns its exit code.
func (r *runner) exitCode(err error) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, context.Canceled) {
		// Interrupted (Ctrl-C): the AWS CLI prints a newline and exits 130.
		fmt.Fprintln(r.stdout)
		return 130
	}
	var ce *cliError
	if !errors.As(err, &ce) {
		ce = &cliError{rcGeneral, err.Error()}
	}
	fmt.Fprintf(r.stderr, "\n%s\n", ce.msg)
	return ce.code
}

type runner struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	env            func(string) string
	dir            string // base for relative paths ("" = process cwd)
	g              globals
	client         *lambda.Client
	outfile        string
}

// globals are the AWS CLI's top-level options.
type globals struct {
	debug          bool
	endpointURL    string
	verifySSL      bool
	paginate       bool
	output         string
	query          string
	profile        string
	region         string
	version        bool
	color          string
	signRequest    bool
	caBundle       string
	readTimeout    int
	connectTimeout int
	binaryFormat   string
}

type globalOpt struct {
	name    string
	flag    bool
	choices []string
	isInt   bool
	set     func(g *globals, v string)
}

var globalOpts = []globalOpt{
	{name: "debug", flag: true, set: func(g *globals, _ string) { g.debug = true }},
	{name: "endpoint-url", set: func(g *globals, v string) { g.endpointURL = v }},
	{name: "no-verify-ssl", flag: true, set: func(g *globals, _ string) { g.verifySSL = false }},
	{name: "no-paginate", flag: true, set: func(g *globals, _ string) { g.paginate = false }},
	{name: "output", choices: []string{"json", "text", "table", "yaml", "yaml-stream"}, set: func(g *globals, v string) { g.output = v }},
	{name: "query", set: func(g *globals, v string) { g.query = v }},
	{name: "profile", set: func(g *globals, v string) { g.profile = v }},
	{name: "region", set: func(g *globals, v string) { g.region = v }},
	{name: "version", flag: true, set: func(g *globals, _ string) { g.version = true }},
	{name: "color", choices: []string{"on", "off", "auto"}, set: func(g *globals, v string) { g.color = v }},
	{name: "no-sign-request", flag: true, set: func(g *globals, _ string) { g.signRequest = false }},
	{name: "ca-bundle", set: func(g *globals, v string) { g.caBundle = v }},
	{name: "cli-read-timeout", isInt: true, set: func(g *globals, v string) { g.readTimeout, _ = strconv.Atoi(strings.TrimSpace(v)) }},
	{name: "cli-connect-timeout", isInt: true, set: func(g *globals, v string) { g.connectTimeout, _ = strconv.Atoi(strings.TrimSpace(v)) }},
	{name: "cli-binary-format", choices: []string{"base64", "raw-in-base64-out"}, set: func(g *globals, v string) { g.binaryFormat = v }},
	{name: "no-cli-pager", flag: true, set: func(g *globals, _ string) {}},
	{name: "cli-auto-prompt", flag: true, set: func(g *globals, _ string) {}},
	{name: "no-cli-auto-prompt", flag: true, set: func(g *globals, _ string) {}},
}

func globalChoices(name string) []string {
	for _, o := range globalOpts {
		if o.name == name {
			return o.choices
		}
	}
	return nil
}

func choiceError(name string, choices []string, v string) error {
	return usageError(fmt.Sprintf("argument --%s: Invalid choice, valid choices are:\n\n%s", name, strings.Join(choices, " | ")) + "\n\nInvalid choice: " + pyStrRepr(v))
}

// parseGlobals removes the top-level options (wherever they appear) and
// returns the remaining arguments.
func (r *runner) parseGlobals(args []string) ([]string, error) {
	r.g = globals{verifySSL: true, paginate: true, signRequest: true, color: "auto"}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		if !strings.HasPrefix(a, "--") {
			rest = append(rest, a)
			continue
		}
		name, value, hasValue := strings.Cut(a[2:], "=")
		var opt *globalOpt
		for j := range globalOpts {
			if globalOpts[j].name == name {
				opt = &globalOpts[j]
			}
		}
		if opt == nil {
			rest = append(rest, a)
			continue
		}
		if opt.flag {
			if hasValue {
				return nil, usageError(fmt.Sprintf("argument --%s: ignored explicit argument %s", name, pyStrRepr(value)))
			}
			opt.set(&r.g, "")
			continue
		}
		if !hasValue {
			if i+1 >= len(args) || looksLikeOption(args[i+1]) {
				return nil, usageError(fmt.Sprintf("argument --%s: expected one argument", name))
			}
			i++
			value = args[i]
		}
		if opt.choices != nil && !contains(opt.choices, value) {
			return nil, choiceError(name, opt.choices, value)
		}
		if opt.isInt && !isPyIntText(value) {
			return nil, usageError(fmt.Sprintf("argument --%s: invalid int value: %s", name, pyStrRepr(value)))
		}
		opt.set(&r.g, value)
	}
	return rest, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (r *runner) run(ctx context.Context, args []string) error {
	if len(args) > 0 && filepath.Base(args[0]) == progName {
		args = args[1:] // tolerate os.Args with the program name
	}
	rest, err := r.parseGlobals(args)
	if err != nil {
		return err
	}
	if r.g.version {
		fmt.Fprintln(r.stdout, "kindling-cli (AWS CLI v2 compatible; aws-sdk-go-v2/service/lambda)")
		return nil
	}
	if r.g.output == "" {
		r.g.output = r.env("AWS_DEFAULT_OUTPUT")
		if r.g.output == "" {
			r.g.output = r.profileSetting("output")
		}
		if r.g.output == "" {
			r.g.output = "json"
		}
		if !contains(globalChoices("output"), r.g.output) {
			return &cliError{rcGeneral, fmt.Sprintf("Unknown output type: %s", r.g.output)}
		}
	}
	if r.g.binaryFormat == "" {
		r.g.binaryFormat = r.profileSetting("cli_binary_format")
		if r.g.binaryFormat == "" {
			r.g.binaryFormat = "base64"
		}
		if !contains(globalChoices("cli-binary-format"), r.g.binaryFormat) {
			return &cliError{rcGeneral, fmt.Sprintf("Invalid value for cli_binary_format: %s", r.g.binaryFormat)}
		}
	}
	if r.g.query != "" {
		if _, err := compileQuery(r.g.query); err != nil {
			return usageError(fmt.Sprintf("argument --query: Bad value for --query %s: %v", r.g.query, err))
		}
	}
	cmdIdx := -1
	for i, a := range rest {
		if !looksLikeOption(a) {
			cmdIdx = i
			break
		}
		if a == "--help" || a == "-h" {
			r.printMainHelp()
			return nil
		}
	}
	if cmdIdx < 0 {
		if len(rest) == 0 {
			return usageError("the following arguments are required: command")
		}
		return unknownArgsError("Unknown options: " + strings.Join(rest, ", "))
	}
	cmd := rest[cmdIdx]
	opArgs := append(append([]string{}, rest[:cmdIdx]...), rest[cmdIdx+1:]...)
	if hasHelpFlag(opArgs) {
		opArgs = []string{"help"}
		if cmd == "wait" {
			for _, a := range withoutHelpFlags(rest[cmdIdx+1:]) {
				if !looksLikeOption(a) {
					opArgs = []string{a, "help"}
					break
				}
			}
		}
	}
	switch cmd {
	case "help":
		if len(opArgs) > 0 {
			if op := operationByCLIName(opArgs[0]); op != nil {
				r.printOpHelp(op, buildArgTable(op), "")
				return nil
			}
			if c := kindlingCommandByName(opArgs[0]); c != nil {
				r.printKindlingHelp(c)
				return nil
			}
		}
		r.printMainHelp()
		return nil
	case "wait":
		return r.runWait(ctx, opArgs)
	}
	if c := kindlingCommandByName(cmd); c != nil {
		return r.runKindling(ctx, c, opArgs)
	}
	op := operationByCLIName(cmd)
	if op == nil {
		return usageError(invalidChoice("command", commandNames(), cmd))
	}
	return r.runOperation(ctx, op, opArgs)
}

func hasHelpFlag(args []string) bool {
	for _, a := range args {
		if a == "--help" || a == "-h" {
			return true
		}
	}
	return false
}

func withoutHelpFlags(args []string) []string {
	var out []string
	for _, a := range args {
		if a != "--help" && a != "-h" {
			out = append(out, a)
		}
	}
	return out
}

func invalidChoice(arg string, choices []string, v string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "argument %s: Invalid choice, valid choices are:\n\n", arg)
	for i := 0; i < len(choices); i += 2 {
		line := fmt.Sprintf("%-40s", choices[i])
		if i+1 < len(choices) {
			line += " | " + fmt.Sprintf("%-40s", choices[i+1])
		}
		b.WriteString(line + "\n")
	}
	if close := closeMatches(v, choices); len(close) > 0 {
		fmt.Fprintf(&b, "\n\nInvalid choice: %s, maybe you meant:\n\n", pyStrRepr(v))
		for _, c := range close {
			b.WriteString("  * " + c + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// closeMatches returns choices that differ from v by little (a cheap
// stand-in for difflib.get_close_matches).
func closeMatches(v string, choices []string) []string {
	type cand struct {
		s string
		d int
	}
	var cs []cand
	for _, c := range choices {
		d := editDistance(v, c)
		if d <= len(c)/5+1 {
			cs = append(cs, cand{c, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	var out []string
	for i, c := range cs {
		if i == 3 {
			break
		}
		out = append(out, c.s)
	}
	return out
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// prepare parses an operation's arguments into validated parameters.
type prepared struct {
	params    *pv
	paginate  bool
	pageSize  *pv
	maxItems  *pv
	startTok  string
	hasStart  bool
	operation *operation
}

func (r *runner) prepare(op *operation, table []*cliArg, parsed *parsedOp) (*prepared, error) {
	p := &prepared{operation: op, paginate: r.g.paginate && op.Paginator != nil}
	if op.Paginator != nil {
		if _, ok := parsed.values[op.Paginator.InputToken]; ok {
			p.paginate = false
		}
		if !p.paginate {
			var used []string
			for _, k := range []string{"StartingToken", "PageSize"} {
				if g, ok := parsed.values["page:"+k]; ok && g.str != "" {
					used = append(used, "--"+g.arg.name)
				}
			}
			if len(used) > 0 {
				return nil, validationError("Cannot specify --no-paginate along with pagination arguments: " + strings.Join(used, ", "))
			}
		}
	}
	in := shapeOf(op.Input)
	params := pvDict(false)
	done := map[string]bool{}
	var codeDir string
	var inputJSON *pv
	for _, a := range table {
		g, ok := parsed.values[a.dest]
		if !ok || done[a.dest] {
			continue
		}
		done[a.dest] = true
		if g.arg != nil {
			a = g.arg
		}
		switch a.custom {
		case "outfile":
			path := r.expandPath(g.str)
			abs := r.abs(path)
			if !dirWritable(filepath.Dir(abs)) {
				return nil, validationError("Unable to write to file: " + path)
			}
			r.outfile = abs
			continue
		case "page":
			if p.paginate {
				switch a.pageKey {
				case "StartingToken":
					p.startTok, p.hasStart = g.str, true
				case "PageSize":
					n, _ := pyInt(pvStr(g.str))
					p.pageSize = n
				case "MaxItems":
					n, _ := pyInt(pvStr(g.str))
					p.maxItems = n
				}
			} else if a.pageKey == "MaxItems" {
				n, _ := pyInt(pvStr(g.str))
				params.set(op.Paginator.LimitKey, n)
			}
			continue
		case "code-dir":
			codeDir = g.str
			continue
		case "cli-input-json":
			v := pvStr(g.str)
			if f, err := r.loadParamFile("--cli-input-json", v); err != nil {
				return nil, err
			} else if f != nil {
				v = f
			}
			j, err := unpackJSON("--cli-input-json", v)
			if err != nil {
				return nil, err
			}
			if j.kind != pDict {
				return nil, paramError("--cli-input-json", "Invalid JSON received.")
			}
			inputJSON = j
			continue
		}
		var raw *pv
		switch a.kind {
		case argBool:
			params.set(a.member.Name, &pv{kind: pBool, b: g.b})
			continue
		case argList:
			raw = &pv{kind: pList, list: []*pv{}}
			for _, s := range g.list {
				raw.list = append(raw.list, pvStr(s))
			}
		default:
			raw = pvStr(g.str)
		}
		if f, err := r.loadParamFile(a.cliName(), raw); err != nil {
			return nil, err
		} else if f != nil {
			raw = f
		}
		switch a.custom {
		case "zip-file", "zip-file-check":
			if err := checkZip(raw); err != nil {
				return nil, err
			}
			if a.custom == "zip-file" {
				target := hoistTarget(op)
				code := params.get(target)
				if code == nil || code.kind != pDict {
					code = pvDict(false)
				}
				code.set("ZipFile", raw)
				params.set(target, code)
				continue
			}
		}
		v, err := unpackArgument(a.cliName(), a.shape, raw)
		if err != nil {
			return nil, err
		}
		if a.custom == "code" {
			if v.kind == pDict && v.has("ZipFile") {
				return nil, validationError(fmt.Sprintf("ZipFile cannot be provided as part of the %s argument.  Please use the '--zip-file' option instead to specify a zip file.", a.cliName()))
			}
			if existing := params.get(a.member.Name); existing != nil && existing.kind == pDict && v.kind == pDict {
				for _, k := range v.keys {
					existing.set(k, v.vals[k])
				}
				continue
			}
		}
		params.set(a.member.Name, v)
	}
	if codeDir != "" {
		if _, ok := parsed.values["zip-file"]; ok {
			return nil, validationError("--code-dir cannot be used together with --zip-file")
		}
		data, err := zipDir(r.abs(r.expandPath(codeDir)))
		if err != nil {
			return nil, paramError("--code-dir", err.Error())
		}
		zv := &pv{kind: pBytes, by: data}
		if op.Name == "CreateFunction" {
			code := params.get("Code")
			if code == nil || code.kind != pDict {
				code = pvDict(false)
			}
			code.set("ZipFile", zv)
			params.set("Code", code)
		} else {
			params.set("ZipFile", zv)
		}
	}
	if inputJSON != nil {
		for _, k := range inputJSON.keys {
			if !params.has(k) {
				params.set(k, inputJSON.vals[k])
			}
		}
	}
	if r.g.binaryFormat == "base64" {
		if err := decodeBase64Blobs(params, in); err != nil {
			return nil, err
		}
	}
	if err := validateParams(params, in); err != nil {
		return nil, err
	}
	encodeRawBlobs(params, in)
	p.params = params
	return p, nil
}

func hoistTarget(op *operation) string {
	if op.Name == "PublishLayerVersion" {
		return "Content"
	}
	return "Code"
}

func dirWritable(dir string) bool {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return false
	}
	f, err := os.CreateTemp(dir, ".kindling-write-check-*")
	if err != nil {
		return false
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return true
}

func (r *runner) parseOp(op *operation, args []string) (*parsedOp, []*cliArg, error) {
	table := buildArgTable(op)
	parsed, err := parseOpArgs(table, args)
	if err != nil {
		return nil, nil, err
	}
	return parsed, table, nil
}

func (r *runner) runOperation(ctx context.Context, op *operation, args []string) error {
	parsed, table, err := r.parseOp(op, args)
	if err != nil {
		return err
	}
	if parsed.help {
		r.printOpHelp(op, table, "")
		return nil
	}
	if len(parsed.unknown) > 0 {
		return unknownArgsError("Unknown options: " + strings.Join(parsed.unknown, ", "))
	}
	p, err := r.prepare(op, table, parsed)
	if err != nil {
		return err
	}
	if r.client, err = r.newClient(ctx); err != nil {
		return err
	}
	if p.paginate {
		return r.runPaginated(ctx, p)
	}
	res := r.call(ctx, op, p.params)
	if res.err != nil {
		return r.callError(op, res)
	}
	out, err := parseOutput(op, res.raw)
	if err != nil {
		return err
	}
	if m := op.streamingOutputMember(); m != "" && r.outfile != "" {
		if err := os.WriteFile(r.outfile, res.raw.body, 0o666); err != nil {
			return generalError(pyOSError(err, r.outfile))
		}
		out.Delete(m)
	}
	return r.display(op, out)
}
