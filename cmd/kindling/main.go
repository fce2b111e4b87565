// Command kindling is a self-hosted, AWS-Lambda-compatible function
// platform: `kindling serve` runs a node, every other subcommand is a
// client operation with the AWS CLI's flags.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/kindling-dev/kindling/internal/app"
	"github.com/kindling-dev/kindling/internal/cli"
	"github.com/kindling-dev/kindling/internal/proc"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == proc.InitCommand {
		proc.RunInit() // inside a new environment's sandbox; never returns
	}
	proc.InitBinary = "/proc/self/exe"
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "serve" {
		if err := app.Serve(ctx, args[1:], os.Getenv, os.Stderr); err != nil {
			fmt.Fprintf(os.Stderr, "kindling: %v\n", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(cli.Main(ctx, args, os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
