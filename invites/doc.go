// Package invites sends and accepts invitations: a new customer account, a
// team member of an account, a manager of one resource (a chatbot shared
// with them), or a platform admin or operator.
//
// An invitation goes to one email address, through the platform's own SMTP
// server (a Mailer; invites/smtp is a real one), branded with the
// platform's name, logo and colours. Its link carries a 256-bit token
// handed out once and stored only as a SHA-256 hash; it works once, until
// it expires (7 days by default), and a resend replaces it. Only a user
// whose email is the invited one (in canonical form: any case, IDNA) may
// accept; accepting twice, or twice at once, grants once.
//
// A pending team-member invitation holds a seat of the account's team quota
// (Config.Seats), released when it is revoked, declined or expires.
// Sending is rate-limited per inviter and per platform.
//
// invites imports no other domain package: what an acceptance grants is the
// host's Config.Grant (the root package wires it to tenancy), and who may
// invite whom is its Config.Authorize.
package invites
