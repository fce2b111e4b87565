package runtimeapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

func base(s *Server) string { return "http://" + s.Addr() + "/2018-06-01/runtime/" }

// nextEvent long-polls /next in the background.
func nextEvent(t *testing.T, s *Server) <-chan *http.Response {
	ch := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Get(base(s) + "invocation/next")
		if err != nil {
			t.Error(err)
			close(ch)
			return
		}
		ch <- resp
	}()
	return ch
}

func TestInvocationCycle(t *testing.T) {
	s, err := Start(AnyUID)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	next := nextEvent(t, s)
	<-s.Ready()
	deadline := time.Now().Add(3 * time.Second)
	answer, err := s.Dispatch(context.Background(), &Event{RequestID: "req-1", Payload: []byte(`{"a":1}`),
		Deadline: deadline, InvokedARN: "arn:aws:lambda:us-east-1:000000000000:function:f", ClientContext: `{"custom":{}}`})
	if err != nil {
		t.Fatal(err)
	}
	resp := <-next
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// reference/runtime.md §1.2 headers.
	if string(body) != `{"a":1}` || resp.Header.Get("Lambda-Runtime-Aws-Request-Id") != "req-1" ||
		resp.Header.Get("Lambda-Runtime-Invoked-Function-Arn") == "" ||
		resp.Header.Get("Lambda-Runtime-Client-Context") != `{"custom":{}}` ||
		resp.Header.Get("Lambda-Runtime-Deadline-Ms") == "" {
		t.Fatalf("next: %q %v", body, resp.Header)
	}

	// A wrong id is 400 InvalidRequestID (§1.3).
	r, _ := http.Post(base(s)+"invocation/other/response", "application/json", strings.NewReader("1"))
	if r.StatusCode != 400 {
		t.Fatalf("wrong id: %d", r.StatusCode)
	}
	// A chunked body with trailers, as aws-lambda-go sends (§1.8).
	req, _ := http.NewRequest("POST", base(s)+"invocation/req-1/response", io.MultiReader(strings.NewReader(`{"ok"`), strings.NewReader(`:true}`)))
	req.ContentLength = -1
	req.Trailer = http.Header{"Lambda-Runtime-Function-Error-Type": nil}
	r, err = http.DefaultClient.Do(req)
	if err != nil || r.StatusCode != 202 {
		t.Fatalf("response: %v %v", r, err)
	}
	res := <-answer
	if string(res.Body) != `{"ok":true}` || res.Error {
		t.Fatalf("result %+v", res)
	}
	// A second answer for the same invocation is 403 (§1.3).
	r, _ = http.Post(base(s)+"invocation/req-1/error", "application/json", strings.NewReader("{}"))
	if r.StatusCode != 403 {
		t.Fatalf("second answer: %d", r.StatusCode)
	}
}

// handedOver starts a server, lets a runtime take event id through /next,
// and returns the server and the channel of its answer.
func handedOver(t *testing.T, id string) (*Server, <-chan Result) {
	t.Helper()
	s, err := Start(AnyUID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	next := nextEvent(t, s)
	<-s.Ready()
	answer, err := s.Dispatch(context.Background(), &Event{RequestID: id, Payload: []byte(`{}`), Deadline: time.Now().Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	(<-next).Body.Close()
	return s, answer
}

func TestOversizedResponse(t *testing.T) {
	s, answer := handedOver(t, "big")
	r, err := http.Post(base(s)+"invocation/big/response", "application/json", bytes.NewReader(make([]byte, MaxResponse+1)))
	if err != nil || r.StatusCode != 413 {
		t.Fatalf("oversized: %v %v", r, err)
	}
	if res := <-answer; !res.TooLarge {
		t.Fatalf("result %+v", res)
	}
}

func TestErrorCauseStripped(t *testing.T) {
	s, answer := handedOver(t, "e")
	body := `{"errorMessage":"m","errorType":"T","stackTrace":[],"errorCause":{"x":1}}`
	r, err := http.Post(base(s)+"invocation/e/error", "application/vnd.aws.lambda.error.cause+json", strings.NewReader(body))
	if err != nil || r.StatusCode != 202 {
		t.Fatalf("error post: %v %v", r, err)
	}
	res := <-answer
	if !res.Error || strings.Contains(string(res.Body), "errorCause") {
		t.Fatalf("result %s", res.Body)
	}
}

// Only the environment's own user may connect (reference/runtime.md §8
// item 1: one Runtime API per environment; ARCHITECTURE.md isolation).
func TestForeignUserRefused(t *testing.T) {
	s, err := Start(os.Getuid() + 12345)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := &http.Client{Timeout: 2 * time.Second}
	if _, err := c.Get(base(s) + "invocation/next"); err == nil {
		t.Fatal("a connection from another user was served")
	}
	own, err := Start(os.Getuid())
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	resp, err := c.Get("http://" + own.Addr() + "/2018-06-01/ping")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("own user refused: %v %v", resp, err)
	}
}
