package smtptest_test

import (
	"context"
	"errors"
	"fmt"
	"net/smtp"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/smtptest"
)

func TestWaitAndMessages(t *testing.T) {
	srv := smtptest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := srv.Wait(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait on empty server: %v", err)
	}
	host, port := srv.Addr()
	done := make(chan error, 1)
	go func() {
		done <- smtp.SendMail(fmt.Sprintf("%s:%d", host, port), nil, "a@example.com", []string{"b@example.com"},
			[]byte("Subject: hi\r\n\r\nbody\r\n"))
	}()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	got, err := srv.Wait(ctx2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got[0].From != "a@example.com" || len(got[0].To) != 1 || got[0].To[0] != "b@example.com" || len(srv.Messages()) != 1 {
		t.Fatalf("got %+v", got)
	}
}
