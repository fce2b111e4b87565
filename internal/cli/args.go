package cli

import (
	"fmt"
	"regexp"
	"strings"
)

// argKind says how an option takes its value on the command line.
type argKind int

const (
	argValue argKind = iota // --name VALUE
	argList                 // --name V1 V2 ... (argparse nargs='*')
	argBool                 // --name / --no-name
)

// cliArg is one entry of an operation's argument table, built from the
// input shape (one per member, in model order) plus the AWS CLI's
// customizations for the operation.
type cliArg struct {
	name       string // without the leading dashes (or the positional's name)
	kind       argKind
	member     *member // the input member it fills (nil for custom arguments)
	shape      *shape
	required   bool
	positional bool
	boolValue  bool   // for argBool: the value stored (false for --no-x)
	dest       string // key under which the parsed value is kept
	custom     string // "", "zip-file", "code", "code-dir", "outfile", "page", "cli-input-json"
	pageKey    string // StartingToken, PageSize, MaxItems
	intType    bool   // argparse type=int
	hidden     bool
	doc        string
}

func (a *cliArg) cliName() string {
	if a.positional {
		return a.name
	}
	return "--" + a.name
}

// given is the parsed value of one destination.
type given struct {
	arg  *cliArg
	str  string
	list []string
	b    bool
}

// buildArgTable returns the operation's arguments in the AWS CLI's order.
func buildArgTable(op *operation) []*cliArg {
	in := shapeOf(op.Input)
	var table []*cliArg
	for i := range in.Members {
		m := &in.Members[i]
		sh := shapeOf(m.Shape)
		a := &cliArg{name: m.CLIName, member: m, shape: sh, dest: m.Name, doc: m.Doc,
			required: in.isRequired(m.Name) && !m.IdempotencyToken}
		switch sh.Type {
		case "list":
			a.kind = argList
		case "boolean":
			a.kind, a.boolValue = argBool, true
		case "long":
			a.intType = true
		}
		table = append(table, a)
		if a.kind == argBool {
			table = append(table, &cliArg{name: "no-" + m.CLIName, kind: argBool, member: m, shape: sh, dest: m.Name, hidden: true})
		}
	}
	// --zip-file hoisted out of Code/Content (create-function, publish-layer-version).
	hoist := map[string]string{"CreateFunction": "Code", "PublishLayerVersion": "Content"}
	if target, ok := hoist[op.Name]; ok {
		for _, a := range table {
			if a.member != nil && a.member.Name == target {
				a.required = false
				a.custom = "code"
			}
		}
		table = append(table, &cliArg{name: "zip-file", custom: "zip-file", dest: "zip-file", shape: &shape{Type: "blob"},
			doc: "The path to the zip file of the " + strings.ToLower(target) + " you are uploading. Example: fileb://" + strings.ToLower(target) + ".zip"})
	}
	if op.Name == "UpdateFunctionCode" {
		for _, a := range table {
			if a.name == "zip-file" {
				a.custom = "zip-file-check"
				a.doc = "The path to the zip file of the code you are uploading. Example: fileb://code.zip"
			}
		}
	}
	if op.Name == "CreateFunction" || op.Name == "UpdateFunctionCode" {
		table = append(table, &cliArg{name: "code-dir", custom: "code-dir", dest: "code-dir",
			doc: "(kindling) Zip this directory in memory (deterministically) and upload it instead of --zip-file."})
	}
	if op.Paginator != nil {
		pg := op.Paginator
		// The API's own paging members stay usable but undocumented;
		// --max-items becomes the client-side limit (the API's MaxItems
		// again with --no-paginate), as in the AWS CLI.
		for _, a := range table {
			if a.member != nil && (a.member.Name == pg.InputToken || a.member.Name == pg.LimitKey) {
				a.hidden = true
			}
		}
		replace := func(name, key, doc string) {
			pa := &cliArg{name: name, custom: "page", pageKey: key, dest: "page:" + key, intType: key != "StartingToken", doc: doc}
			for i, a := range table {
				if a.name == name {
					table[i] = pa
					return
				}
			}
			table = append(table, pa)
		}
		replace("starting-token", "StartingToken", "A token to specify where to start paginating (the NextToken of a truncated output).")
		replace("page-size", "PageSize", "The size of each page to get in the service call.")
		replace("max-items", "MaxItems", "The total number of items to return in the command's output.")
	}
	table = append(table, &cliArg{name: "cli-input-json", custom: "cli-input-json", dest: "cli-input-json",
		doc: "Read arguments from the JSON string provided (values given on the command line win)."})
	if op.streamingOutputMember() != "" {
		table = append(table, &cliArg{name: "outfile", positional: true, required: true, custom: "outfile", dest: "outfile",
			doc: "Filename where the content will be saved."})
	}
	return table
}

var negativeNumber = regexp.MustCompile(`^-\d+$|^-\d*\.\d+$`)

func looksLikeOption(s string) bool {
	return strings.HasPrefix(s, "-") && s != "-" && !negativeNumber.MatchString(s)
}

// parsedOp is the result of parsing an operation's arguments.
type parsedOp struct {
	values  map[string]*given
	help    bool
	unknown []string
}

// parseOpArgs parses args against the table with argparse's rules (as the
// AWS CLI's parser uses them): `--opt value`, `--opt=value`, unique-prefix
// abbreviations, lists until the next option, positionals in order.
func parseOpArgs(table []*cliArg, args []string) (*parsedOp, error) {
	res := &parsedOp{values: map[string]*given{}}
	if len(args) == 1 && args[0] == "help" {
		res.help = true
		return res, nil
	}
	var positionals []string
	var extras []string
	byName := map[string]*cliArg{}
	for _, a := range table {
		if !a.positional {
			byName[a.name] = a
		}
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			positionals = append(positionals, args[i+1:]...)
			break
		}
		if !looksLikeOption(arg) {
			positionals = append(positionals, arg)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if !strings.HasPrefix(arg, "--") {
			extras = append(extras, arg)
			continue
		}
		a := byName[name]
		if a == nil {
			var matches []*cliArg
			for _, c := range table {
				if !c.positional && strings.HasPrefix(c.name, name) && name != "" {
					matches = append(matches, c)
				}
			}
			if len(matches) > 1 {
				names := make([]string, len(matches))
				for j, m := range matches {
					names[j] = "--" + m.name
				}
				return nil, usageError(fmt.Sprintf("ambiguous option: --%s could match %s", name, strings.Join(names, ", ")))
			}
			if len(matches) == 1 {
				a = matches[0]
			}
		}
		if a == nil {
			extras = append(extras, arg)
			continue
		}
		switch a.kind {
		case argBool:
			if hasValue {
				return nil, usageError(fmt.Sprintf("argument --%s: ignored explicit argument %s", a.name, pyStrRepr(value)))
			}
			res.values[a.dest] = &given{arg: a, b: a.boolValue}
		case argList:
			g := &given{arg: a, list: []string{}}
			if hasValue {
				g.list = append(g.list, value)
			} else {
				for i+1 < len(args) && !looksLikeOption(args[i+1]) {
					i++
					g.list = append(g.list, args[i])
				}
			}
			res.values[a.dest] = g
		default:
			if !hasValue {
				if i+1 >= len(args) || looksLikeOption(args[i+1]) {
					return nil, usageError(fmt.Sprintf("argument --%s: expected one argument", a.name))
				}
				i++
				value = args[i]
			}
			if a.intType && !isPyIntText(value) {
				return nil, usageError(fmt.Sprintf("argument --%s: invalid int value: %s", a.name, pyStrRepr(value)))
			}
			res.values[a.dest] = &given{arg: a, str: value}
		}
	}
	// Positionals: the table's (outfile), then argparse's optional "help".
	var stray []string
	for _, a := range table {
		if !a.positional {
			continue
		}
		if len(positionals) > 0 {
			res.values[a.dest] = &given{arg: a, str: positionals[0]}
			positionals = positionals[1:]
		}
	}
	if len(positionals) > 0 {
		if positionals[0] == "help" {
			res.help = true
		} else {
			stray = append(stray, positionals[0])
		}
		extras = append(extras, positionals[1:]...)
	}
	if res.help {
		return res, nil
	}
	var missing []string
	_, fromJSON := res.values["cli-input-json"]
	for _, a := range table {
		if a.required && (!fromJSON || a.positional) {
			if _, ok := res.values[a.dest]; !ok {
				missing = append(missing, a.cliName())
			}
		}
	}
	if len(missing) > 0 {
		return nil, usageError("the following arguments are required: " + strings.Join(missing, ", "))
	}
	res.unknown = append(extras, stray...)
	return res, nil
}

var pyIntText = regexp.MustCompile(`^\s*[+-]?[0-9](?:_?[0-9])*\s*$`)

func isPyIntText(s string) bool { return pyIntText.MatchString(s) }
