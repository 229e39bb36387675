// Package smtp sends invitation emails through an SMTP submission server.
//
// It is a thin, hardened layer over github.com/wneessen/go-mail: New
// validates a Config once, and Mailer.Send builds a multipart/alternative
// message (plain text and HTML) with properly encoded From, To and Subject
// headers, a Date and a Message-ID, and delivers it over a fresh
// connection honouring the caller's context.
//
// Transport security defaults to mandatory STARTTLS on port 587. Header
// injection is impossible: any CR or LF in a header field is refused with
// ErrHeaderInjection before anything is sent.
//
// The package deliberately does not import invites; its Message mirrors
// invites.Message field for field so the invites package can adapt it.
package smtp
