// Package mailcatcher is a small SMTP server that keeps what it receives in
// memory, so that the example owner portal sends its invitations over real
// SMTP and shows them on a page instead of delivering them anywhere.
//
// Start listens on a loopback address ("127.0.0.1:0" picks a free port) and
// refuses any other address unless AllowNonLoopback is given. It speaks plain
// SMTP without TLS or authentication, accepts any sender and recipient, keeps
// the last 200 messages (WithMaxMessages) and refuses a message larger than
// 1 MB (WithMaxMessageBytes) with the standard 552 reply.
//
// Each accepted message is parsed once into a Message: the sender, the
// envelope recipients, the decoded subject and date, and the plain-text and
// HTML bodies of a multipart/alternative message (quoted-printable and base64
// transfer encodings, RFC 2047 encoded headers). Messages lists them newest
// first, Message finds one by ID, and Wait lets a test block until a number
// of messages arrived instead of sleeping.
package mailcatcher
