package cli

import (
	"fmt"
	"strings"
)

func (r *runner) printMainHelp() {
	w := r.stdout
	fmt.Fprintln(w, "kindling - AWS CLI v2 compatible client for the Kindling Lambda API")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: kindling [options] <command> [parameters]")
	fmt.Fprintln(w, "       kindling <command> help      (or --help)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands (same names and flags as `aws lambda <command>`):")
	for _, op := range modelOperations {
		doc := op.Doc
		if op.Deprecated {
			doc = "(deprecated) " + doc
		}
		fmt.Fprintf(w, "  %-38s %s\n", op.CLIName, truncate(doc, 90))
	}
	fmt.Fprintf(w, "  %-38s %s\n", "wait", "Wait until a function reaches a state ("+waiterList()+").")
	fmt.Fprintf(w, "  %-38s %s\n", "help", "Show this help, or `help <command>`.")
	fmt.Fprintln(w)
	r.printKindlingCommands()
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Global options:")
	for _, l := range []string{
		"--endpoint-url URL        default: $AWS_ENDPOINT_URL_LAMBDA, $AWS_ENDPOINT_URL, else " + DefaultEndpoint,
		"--region REGION           default: $AWS_DEFAULT_REGION, $AWS_REGION, the profile's, else us-east-1",
		"--profile NAME            credentials from ~/.aws (else $AWS_ACCESS_KEY_ID/$AWS_SECRET_ACCESS_KEY,",
		"                          then <data dir>/credentials.json of a local `kindling serve`, then ~/.aws)",
		"--output json|text|table  default: $AWS_DEFAULT_OUTPUT, else json",
		"--query EXPR              JMESPath expression applied to the output",
		"--cli-binary-format base64|raw-in-base64-out   how blob arguments (--payload) are read; default base64",
		"--no-paginate             make a single request for list commands",
		"--cli-read-timeout N, --cli-connect-timeout N, --no-verify-ssl, --ca-bundle FILE,",
		"--no-sign-request, --debug, --version",
	} {
		fmt.Fprintln(w, "  "+l)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Argument values may be file://path (text) or fileb://path (bytes). Structure, map and list")
	fmt.Fprintln(w, "arguments take JSON or shorthand (Variables={A=1,B=2}, Key=Value,Key2=Value2, a b c).")
}

func waiterList() string {
	var names []string
	for _, w := range modelWaiters {
		names = append(names, w.CLIName)
	}
	return strings.Join(names, ", ")
}

func (r *runner) printWaitHelp() {
	w := r.stdout
	fmt.Fprintln(w, "Usage: kindling wait <waiter> [parameters]")
	fmt.Fprintln(w)
	for _, wt := range modelWaiters {
		fmt.Fprintf(w, "  %-26s polls %s every %ds, up to %d times. %s\n", wt.CLIName, operationByName(wt.Operation).CLIName, wt.Delay, wt.MaxAttempts, wt.Doc)
	}
}

func truncate(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-3]) + "..."
}

func typeLabel(a *cliArg) string {
	if a.custom == "page" {
		if a.pageKey == "StartingToken" {
			return "string"
		}
		return "integer"
	}
	switch a.custom {
	case "code-dir":
		return "directory"
	case "cli-input-json":
		return "JSON"
	case "outfile":
		return "path"
	}
	if a.shape == nil {
		return "string"
	}
	s := a.shape
	switch s.Type {
	case "list":
		return "list of " + shapeOf(s.ListMember).Type
	case "map":
		return "map"
	}
	return s.Type
}

func (r *runner) printOpHelp(op *operation, table []*cliArg, waiterName string) {
	w := r.stdout
	if waiterName != "" {
		wt := waiterByCLIName(waiterName)
		fmt.Fprintf(w, "kindling wait %s\n\n  %s\n  Polls %s every %ds, up to %d times.\n\n", waiterName, wt.Doc, op.CLIName, wt.Delay, wt.MaxAttempts)
	} else {
		fmt.Fprintf(w, "kindling %s\n\n  %s\n  API: %s %s (%s)\n\n", op.CLIName, op.Doc, op.Method, op.URI, op.Name)
	}
	fmt.Fprintln(w, "Options:")
	for _, a := range table {
		if a.hidden {
			continue
		}
		name := a.cliName()
		if a.kind == argBool {
			name += " | --no-" + a.name
		} else if a.kind == argList {
			name += " <value> [<value> ...]"
		} else {
			name += " <" + typeLabel(a) + ">"
		}
		req := ""
		if a.required {
			req = " (required)"
		}
		fmt.Fprintf(w, "  %s%s\n", name, req)
		doc := a.doc
		if a.shape != nil && len(a.shape.Enum) > 0 && len(a.shape.Enum) <= 12 {
			doc = strings.TrimSpace(doc + " One of: " + strings.Join(a.shape.Enum, ", ") + ".")
		}
		if doc != "" {
			fmt.Fprintf(w, "      %s\n", doc)
		}
	}
	if waiterName == "" && op.Output != "" {
		fmt.Fprintln(w)
		fmt.Fprintf(w, "Output members: %s\n", strings.Join(outputMemberNames(op), ", "))
	}
}

func outputMemberNames(op *operation) []string {
	var names []string
	for _, m := range shapeOf(op.Output).Members {
		if m.Name == op.streamingOutputMember() {
			continue
		}
		names = append(names, m.Name)
	}
	return names
}
