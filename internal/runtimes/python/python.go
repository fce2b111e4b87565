// Package python holds Kindling's Python runtime bootstrap: one script,
// embedded in the binary, that speaks the Lambda Runtime API and behaves like
// the AWS Python runtime interface client (handler resolution, error bodies,
// JSON results with the default separators, the context object, the log
// format). It uses the standard library only.
//
// The server writes Bootstrap to disk once (as BootstrapName; the name
// matters, frames of files named "bootstrap.py" are cut from the head of
// error stack traces as in the real runtime) and starts one process per
// execution environment:
//
//	/usr/bin/python3 Args("/path/to/bootstrap.py")...
//	= /usr/bin/python3 -u -s -B /path/to/bootstrap.py
//
// with the working directory set to the function's code directory and at
// least these variables set: AWS_LAMBDA_RUNTIME_API (host:port, optionally
// followed by a /path prefix), _HANDLER, LAMBDA_TASK_ROOT, the
// AWS_LAMBDA_FUNCTION_* and AWS_LAMBDA_LOG_GROUP_NAME / _STREAM_NAME
// variables of runtime.md 2.1, AWS_EXECUTION_ENV=AWS_Lambda_pythonX.Y (from
// python3.12 on, results keep non-ASCII characters unescaped) and, when
// configured, AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL. PYTHONPATH and
// the other PYTHON* variables of the function are honoured.
//
// Process contract:
//   - stdout and stderr are unbuffered; print() output is written unchanged,
//     log records as "[LEVEL]\t<UTC time>.mmmZ\t<request id>\t<message>\n"
//     (or one JSON object per line). Everything an invocation printed or
//     logged is on fd 1 / fd 2 before its /response or /error request is
//     sent. A multi-line log message keeps its newlines, as in the real
//     runtime's stdout mode; the unhandled-error line uses "\r" instead.
//   - Init failures are posted to /init/error (with header
//     Lambda-Runtime-Function-Error-Type) and the process exits with 1.
//   - A handler exception is posted to the invocation's /error and the
//     process goes on with /next. A handler calling sys.exit(n) ends the
//     process with code n and posts nothing.
//   - A broken Runtime API (connection refused, 5xx, /next not 200) makes
//     the process exit with 1 after one line on stderr.
package python

import _ "embed"

// BootstrapName is the file name the server must give the bootstrap on disk.
const BootstrapName = "bootstrap.py"

// Bootstrap is the source of the Python runtime bootstrap.
//
//go:embed bootstrap.py
var Bootstrap []byte

// Args returns the interpreter arguments that run the bootstrap written at
// bootstrapPath: -u (unbuffered stdout and stderr, so output reaches the
// pipe in order and at once), -s (no user site directory) and -B (no .pyc
// files written into the function's code directory, which Lambda keeps
// read-only), then the script path. The site module still runs, so the
// interpreter's site-packages stay importable; the bootstrap removes its own
// directory from sys.path and puts LAMBDA_TASK_ROOT first.
func Args(bootstrapPath string) []string {
	return []string{"-u", "-s", "-B", bootstrapPath}
}

// DropCoercedLocale is the bootstrap argument that removes the LC_CTYPE
// variable Python's C-locale coercion adds when the host lacks the locale
// LANG names; pass it unless the function set LC_CTYPE itself.
const DropCoercedLocale = "--drop-coerced-locale"
