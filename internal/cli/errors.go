package cli

import "fmt"

// Exit codes of the AWS CLI v2 (awscli/constants.py).
const (
	rcParamValidation = 252 // bad arguments, parameter validation
	rcConfiguration   = 253 // missing credentials or region, bad configuration
	rcClientError     = 254 // the service answered with an error
	rcGeneral         = 255 // anything else (invalid base64, connection failure, waiter failure)
)

// cliError is an error with the AWS CLI's exit code. The message is printed
// as "\n<msg>\n" on stderr, like the AWS CLI's error handlers do.
type cliError struct {
	code int
	msg  string
}

func (e *cliError) Error() string { return e.msg }

func paramError(cliName, msg string) error {
	return &cliError{rcParamValidation, fmt.Sprintf("Error parsing parameter '%s': %s", cliName, msg)}
}

func validationError(msg string) error { return &cliError{rcParamValidation, msg} }

func generalError(msg string) error { return &cliError{rcGeneral, msg} }

// usageError is an argparse-style error: usage text, then "kindling: error: msg".
func usageError(msg string) error {
	return &cliError{rcParamValidation, usageText + "\n" + progName + ": error: " + msg + "\n"}
}

// unknownArgsError mirrors the AWS CLI's "Unknown options" error.
func unknownArgsError(msg string) error {
	return &cliError{rcParamValidation, usageText + msg + "\n"}
}

const progName = "kindling"

const usageText = "usage: kindling [options] <command> [parameters]\n" +
	"To see help text, you can run:\n" +
	"\n" +
	"  kindling help\n" +
	"  kindling <command> help\n"
