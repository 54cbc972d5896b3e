/*
 * tls.h: the client side of TLS for rdguardd's HTTPS requests (the
 * caregiver's webhook in alerts.c, policy updates in fetch.c): a context
 * that trusts the system's CAs or only a pinned CA file, a session that
 * checks the peer's host name or address and sends SNI, an https:// address
 * taken apart, and OpenSSL's errors in words. Owns nothing between calls.
 */
#ifndef RDGUARD_TLS_H
#define RDGUARD_TLS_H

#include <stdbool.h>

#include <event2/bufferevent.h>
#include <openssl/ssl.h>

/* An https:// address, taken apart for a request. */
struct https_address {
	char *url;
	char *host; /* without brackets; NULL when the url cannot be used */
	int port;
	bool host_is_ip;
	char *target;      /* path and query */
	char *host_header; /* host, or host:port */
};

/* Takes url apart; a->host stays NULL when it is not a usable https:// url. */
void https_address_parse(struct https_address *a, const char *url);
void https_address_clear(struct https_address *a);

/* Whether host is an IPv4 or IPv6 address (without brackets). */
bool tls_is_ip_literal(const char *host);

/*
 * A client context for TLS 1.2 or newer that verifies the peer against
 * ca_file, or the system's CAs when it is NULL. NULL with *why (a string
 * to free) when it cannot be made.
 */
SSL_CTX *tls_client_context(const char *ca_file, char **why);

/* A session that checks the peer is host (a name, with SNI, or an
 * address); NULL when it cannot be made. */
SSL *tls_client_session(SSL_CTX *ctx, const char *host, bool host_is_ip);

/* An OpenSSL error as words; the thread's error queue is emptied. */
const char *tls_reason(unsigned long e);

/* The first OpenSSL error with a library the bufferevent saw, or 0. */
unsigned long tls_bufferevent_error(struct bufferevent *bev);

#endif
