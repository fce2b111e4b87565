package lambda

// Runtime identifiers and their deprecation state.
//
// Sources:
//   - RuntimeEnum: botocore's Lambda model
//     (botocore/data/lambda/2015-03-31/service-2.json, shape "Runtime",
//     botocore 1.43.11, copied from /tmp/lambda-model.json), in model order.
//   - runtimeMessageList: the list AWS prints in the InvalidParameterValue
//     message for an unknown runtime. Its first two entries are quoted in
//     reference/lambda-api.md §7.2 ("[nodejs20.x, python3.14, ...]"); the
//     full order is the one AWS answered in LocalStack's recording of
//     test_create_lambda_exceptions (2025-11). It lists only the runtimes
//     that can still be used to create functions, in AWS's own (hash-like)
//     order, not in model order. dotnet10 and ruby4.0 were released after
//     that recording and are appended at the end.
//   - blockedRuntimes: AWS's runtime deprecation schedule
//     (docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html, "Deprecated
//     runtimes"), reasoned below.

// RuntimeEnum is every value of the model's Runtime enum, in model order.
var RuntimeEnum = []string{
	"nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x",
	"nodejs12.x", "nodejs14.x", "nodejs16.x", "java8", "java8.al2", "java11",
	"python2.7", "python3.6", "python3.7", "python3.8", "python3.9",
	"dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1",
	"dotnet6", "dotnet8", "nodejs4.3-edge", "go1.x", "ruby2.5", "ruby2.7",
	"provided", "provided.al2", "nodejs18.x", "python3.10", "java17",
	"ruby3.2", "ruby3.3", "ruby3.4", "python3.11", "nodejs20.x",
	"provided.al2023", "python3.12", "java21", "python3.13", "nodejs22.x",
	"nodejs24.x", "python3.14", "java25", "dotnet10", "ruby4.0",
}

// runtimeMessageList is the enum list quoted by the unknown-runtime error,
// in the order AWS prints it (see the file comment).
var runtimeMessageList = []string{
	"nodejs20.x", "python3.14", "provided.al2023", "python3.12", "python3.13",
	"nodejs24.x", "nodejs22.x", "java17", "nodejs16.x", "java25", "dotnet8",
	"python3.10", "java11", "python3.11", "dotnet6", "java21", "nodejs18.x",
	"provided.al2", "ruby3.3", "ruby3.4", "java8.al2", "ruby3.2", "python3.8",
	"python3.9",
	// Released after the 2025-11 recording; position unknown.
	"dotnet10", "ruby4.0",
}

// DeprecatedRuntime describes one runtime of the model enum that AWS has
// deprecated.
type DeprecatedRuntime struct {
	ID         string
	Deprecated string // date AWS deprecated it (end of support)
	// Blocked is true when AWS refuses both creating and updating functions
	// with it: CreateFunction and UpdateFunctionConfiguration answer the
	// §8.1 "no longer supported" InvalidParameterValueException.
	Blocked bool
}

// DeprecatedRuntimes lists the deprecated runtimes of RuntimeEnum.
//
// Reasoning: every runtime whose "block function update" date has passed is
// Blocked. That holds for all runtimes deprecated before 2024-02 (AWS
// blocked updates of the last of them, java8/go1.x/provided, on
// 2024-03-12) and matches the recording: none of them is in AWS's
// runtimeMessageList. The runtimes deprecated in 2024-2025 (nodejs16.x,
// python3.8, dotnet6, nodejs18.x, python3.9) were still in AWS's list of
// creatable runtimes in the 2025-11 recording, so they are not Blocked here.
// AWS has announced 2026 block dates for them that could not be verified;
// flip Blocked (and drop them from runtimeMessageList) once confirmed.
var DeprecatedRuntimes = []DeprecatedRuntime{
	{"nodejs", "2016-10-31", true},
	{"nodejs4.3-edge", "2019-04-30", true},
	{"dotnetcore2.0", "2019-05-30", true},
	{"dotnetcore1.0", "2019-07-30", true},
	{"nodejs6.10", "2019-08-12", true},
	{"nodejs4.3", "2020-03-06", true},
	{"nodejs8.10", "2020-03-06", true},
	{"python2.7", "2021-07-15", true},
	{"nodejs10.x", "2021-07-30", true},
	{"ruby2.5", "2021-07-30", true},
	{"dotnetcore2.1", "2022-01-05", true},
	{"python3.6", "2022-07-18", true},
	{"nodejs12.x", "2023-03-31", true},
	{"dotnetcore3.1", "2023-04-03", true},
	{"nodejs14.x", "2023-12-04", true},
	{"python3.7", "2023-12-04", true},
	{"ruby2.7", "2023-12-07", true},
	{"java8", "2024-01-08", true},
	{"go1.x", "2024-01-08", true},
	{"provided", "2024-01-08", true},
	{"nodejs16.x", "2024-06-12", false},
	{"python3.8", "2024-10-14", false},
	{"dotnet6", "2024-12-20", false},
	{"nodejs18.x", "2025-09-01", false},
	{"python3.9", "2025-12-15", false},
}

var (
	runtimeKnown   = map[string]bool{}
	runtimeBlocked = map[string]bool{}
)

func init() {
	for _, r := range RuntimeEnum {
		runtimeKnown[r] = true
	}
	for _, d := range DeprecatedRuntimes {
		if d.Blocked {
			runtimeBlocked[d.ID] = true
		}
	}
}

// IsKnownRuntime reports whether rt is a value of the model's Runtime enum
// (case-sensitive: "PYTHON3.9" is not).
func IsKnownRuntime(rt string) bool { return runtimeKnown[rt] }

// IsRuntimeBlocked reports whether AWS refuses to create or update
// functions with rt because it is deprecated.
func IsRuntimeBlocked(rt string) bool { return runtimeBlocked[rt] }

// SupportedRuntimes returns the runtimes that can be used to create a
// function, in the order AWS lists them in its error message.
func SupportedRuntimes() []string {
	return append([]string(nil), runtimeMessageList...)
}
