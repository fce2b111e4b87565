// Package nodejs holds Kindling's Node.js runtime bootstrap: one ES module,
// embedded in the binary, that speaks the Lambda Runtime API and behaves like
// the AWS Node.js runtime interface client (handler resolution, async and
// callback handlers, the context object, error bodies, console log format).
//
// The server writes Bootstrap to disk once (as BootstrapName; the ".mjs"
// extension matters, it makes Node load the file as an ES module) and starts
// one process per execution environment:
//
//	/usr/bin/node <HeapFlags(memoryMB)...> /path/to/bootstrap.mjs
//
// with the working directory set to the function's code directory and at
// least these variables set: AWS_LAMBDA_RUNTIME_API (host:port, optionally
// followed by a /path prefix), _HANDLER, LAMBDA_TASK_ROOT, NODE_PATH and the
// AWS_LAMBDA_FUNCTION_*, AWS_LAMBDA_LOG_GROUP_NAME / _STREAM_NAME variables
// of runtime.md 2.1.
//
// Process contract:
//   - Each console.* call is one line on stdout, written synchronously, so
//     every line an invocation logs is on the pipe before its /response or
//     /error request is sent. Embedded newlines are turned into "\r".
//   - Init failures are posted to /init/error (with header
//     Lambda-Runtime-Function-Error-Type) and the process exits with 129
//     (128 for an unhandled rejection during Init).
//   - An uncaught exception during an invoke is posted to that invoke's
//     /error and the process exits with 129; an unhandled rejection exits
//     with 128. The environment must then be treated as dead.
//   - A broken Runtime API (connection refused, 5xx, /next not 200) makes
//     the process exit with 1 after one line on stderr.
package nodejs

import (
	_ "embed"
	"strconv"
)

// BootstrapName is the file name the server must give the bootstrap on
// disk. The ".mjs" extension makes Node treat it as an ES module.
const BootstrapName = "bootstrap.mjs"

// Bootstrap is the source of the Node.js runtime bootstrap (an ES module).
//
//go:embed bootstrap.mjs
var Bootstrap []byte

// HeapFlags returns the V8 heap flags the managed Node.js runtimes derive
// from the function's memory size (runtime.md 4.1): new space = mem/10,
// --max-semi-space-size = new space/2, --max-old-space-size = mem - new
// space, all in MB. The server passes them before the bootstrap path unless
// the function's NODE_OPTIONS already sets either flag. It returns nil for a
// size too small to split.
func HeapFlags(memoryMB int) []string {
	newSpace := memoryMB / 10
	semi := newSpace / 2
	if semi < 1 {
		return nil
	}
	return []string{
		"--max-semi-space-size=" + strconv.Itoa(semi),
		"--max-old-space-size=" + strconv.Itoa(memoryMB-newSpace),
	}
}
