package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kindling-dev/kindling/internal/cli/internal/ojson"
)

// waitSleep is the pause between waiter attempts (a variable for tests).
var waitSleep = func(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// runWait implements `kindling wait <waiter> [args]` with botocore's waiter
// semantics: a fixed delay between attempts, acceptors checked in order,
// the same failure messages.
func (r *runner) runWait(ctx context.Context, args []string) error {
	var names []string
	for _, w := range modelWaiters {
		names = append(names, w.CLIName)
	}
	idx := -1
	for i, a := range args {
		if !looksLikeOption(a) {
			idx = i
			break
		}
	}
	if idx < 0 {
		if hasHelpFlag(args) {
			r.printWaitHelp()
			return nil
		}
		return usageError("the following arguments are required: waiter (one of: " + strings.Join(names, ", ") + ")")
	}
	name := args[idx]
	rest := append(append([]string{}, args[:idx]...), args[idx+1:]...)
	if name == "help" {
		r.printWaitHelp()
		return nil
	}
	w := waiterByCLIName(name)
	if w == nil {
		return usageError(invalidChoice("subcommand", append(names, "help"), name))
	}
	op := operationByName(w.Operation)
	parsed, table, err := r.parseOp(op, rest)
	if err != nil {
		return err
	}
	if parsed.help {
		r.printOpHelp(op, table, w.CLIName)
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
	var lastMatched *acceptor
	attempts := 0
	for {
		res := r.call(ctx, op, p.params)
		attempts++
		isErr := res.err != nil
		var code, msg string
		var out *ojson.Value
		if isErr {
			if !(res.raw.got && res.raw.status >= 300) {
				return r.callError(op, res)
			}
			code, msg = serviceErrorInfo(res.raw)
		} else {
			out, _ = parseOutput(op, res.raw)
		}
		state := "waiting"
		var acc *acceptor
		for i := range w.Acceptors {
			a := &w.Acceptors[i]
			acc = a
			if acceptorMatches(a, isErr, code, res.raw.status, out) {
				lastMatched = a
				state = a.State
				break
			}
		}
		if state == "waiting" && isErr {
			return generalError(fmt.Sprintf("Waiter %s failed: An error occurred (%s): %s", w.Name, code, msg))
		}
		switch state {
		case "success":
			return nil
		case "failure":
			return generalError(fmt.Sprintf("Waiter %s failed: Waiter encountered a terminal failure state: %s", w.Name, explanation(acc)))
		}
		if attempts >= w.MaxAttempts {
			if lastMatched == nil {
				return generalError(fmt.Sprintf("Waiter %s failed: Max attempts exceeded", w.Name))
			}
			return generalError(fmt.Sprintf("Waiter %s failed: Max attempts exceeded. Previously accepted state: %s", w.Name, explanation(acc)))
		}
		if err := waitSleep(ctx, time.Duration(w.Delay)*time.Second); err != nil {
			return err
		}
	}
}

func acceptorMatches(a *acceptor, isErr bool, code string, status int, out *ojson.Value) bool {
	switch a.Matcher {
	case "error":
		switch a.Expected { // newer models: true = any error, false = no error
		case "true":
			return isErr
		case "false":
			return !isErr
		}
		return isErr && code == unquote(a.Expected)
	case "status":
		return !isErr && fmt.Sprint(status) == a.Expected
	case "path":
		if isErr {
			return false
		}
		q, err := compileQuery(a.Argument)
		if err != nil {
			return false
		}
		got := q.search(out)
		exp, _ := ojson.Parse([]byte(a.Expected))
		return valuesEqual(got, exp)
	case "pathAll", "pathAny":
		if isErr {
			return false
		}
		q, err := compileQuery(a.Argument)
		if err != nil {
			return false
		}
		got := q.search(out)
		exp, _ := ojson.Parse([]byte(a.Expected))
		if got == nil || got.Kind != ojson.Array || len(got.Arr) == 0 {
			return false
		}
		for _, el := range got.Arr {
			eq := valuesEqual(el, exp)
			if a.Matcher == "pathAny" && eq {
				return true
			}
			if a.Matcher == "pathAll" && !eq {
				return false
			}
		}
		return a.Matcher == "pathAll"
	}
	return false
}

func unquote(lit string) string {
	v, err := ojson.Parse([]byte(lit))
	if err != nil || v.Kind != ojson.String {
		return lit
	}
	return v.Str
}

func explanation(a *acceptor) string {
	exp := unquote(a.Expected)
	switch a.Matcher {
	case "path":
		return fmt.Sprintf(`For expression "%s" we matched expected path: "%s"`, a.Argument, exp)
	case "pathAll":
		return fmt.Sprintf(`For expression "%s" all members matched excepted path: "%s"`, a.Argument, exp)
	case "pathAny":
		return fmt.Sprintf(`For expression "%s" we matched expected path: "%s" at least once`, a.Argument, exp)
	case "status":
		return "Matched expected HTTP status code: " + exp
	case "error":
		return "Matched expected service error code: " + exp
	}
	return fmt.Sprintf(`No explanation for unknown waiter type: "%s"`, a.Matcher)
}
