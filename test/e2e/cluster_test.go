package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	natsserver "github.com/nats-io/nats-server/v2/server"
)

// Two kindling nodes on one external NATS server are one deployment: a
// function created through one node is served by the other, and an Event
// accepted by one runs on a node that pulls it.
func TestTwoNodesShareOneNATS(t *testing.T) {
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: t.TempDir(), MaxPayload: 8 << 20, NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	defer ns.Shutdown()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats not ready")
	}
	a := startServer(t, t.TempDir(), "--nats-url", ns.ClientURL())
	defer a.stop()
	b := startServer(t, t.TempDir(), "--nats-url", ns.ClientURL())
	defer b.stop()

	ctx := context.Background()
	ca, cb := sdk(a), sdk(b)
	js := `exports.handler = async (e) => { console.log("cluster-event:" + JSON.stringify(e)); return {node: "any", got: e}; };`
	_, err = ca.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("shared"), Runtime: types.RuntimeNodejs20x,
		Handler: aws.String("index.handler"), Role: aws.String("arn:aws:iam::000000000000:role/r"),
		Code: &types.FunctionCode{ZipFile: zipOf(t, map[string]string{"index.js": js})}})
	if err != nil {
		t.Fatal(err)
	}
	// Node b learns of it through its KV watch and unpacks the code from
	// the object store on first use.
	var out *lambda.InvokeOutput
	eventually(t, 20*time.Second, "node b to invoke the function created on node a", func() bool {
		out, err = cb.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("shared"), Payload: []byte(`{"n":1}`)})
		return err == nil && out.FunctionError == nil
	})
	if string(out.Payload) != `{"node":"any","got":{"n":1}}` {
		t.Fatalf("payload %s", out.Payload)
	}
	if _, err := cb.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("shared")}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "node a to see version 1", func() bool {
		_, err := ca.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("shared"), Qualifier: aws.String("1")})
		return err == nil
	})
	if _, err := ca.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("shared"), InvocationType: types.InvocationTypeEvent,
		Payload: []byte(`{"async":"cluster"}`)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "the Event to run on some node", func() bool {
		want := `cluster-event:{"async":"cluster"}`
		return strings.Contains(a.log.String(), want) || strings.Contains(b.log.String(), want)
	})
}
