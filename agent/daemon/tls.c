/*
 * tls.c: the client side of TLS for rdguardd's HTTPS requests (see
 * tls.h). Owns nothing between calls: each request makes its own context
 * and session, so that a changed CA file counts from the next request on.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "agent/daemon/tls.h"
#include "core/text.h"
#include "core/xalloc.h"

bool
tls_is_ip_literal(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, addr) == 1 ||
	    inet_pton(AF_INET6, host, addr) == 1;
}

const char *
tls_reason(unsigned long e)
{
	const char *s = e == 0    ? NULL
	    : ERR_SYSTEM_ERROR(e) ? strerror(ERR_GET_REASON(e))
				  : ERR_reason_error_string(e);

	ERR_clear_error();
	return s != NULL ? s : "unknown error";
}

/*
 * It also passes over SSL_get_error's codes (SSL_ERROR_SYSCALL...), which
 * have no library and say nothing a socket error does not say better.
 */
unsigned long
tls_bufferevent_error(struct bufferevent *bev)
{
	unsigned long e, found = 0;

	while ((e = bufferevent_get_openssl_error(bev)) != 0)
		if (found == 0 && ERR_GET_LIB(e) != 0 &&
		    ERR_reason_error_string(e) != NULL)
			found = e;
	return found;
}

SSL_CTX *
tls_client_context(const char *ca_file, char **why)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	int ok;

	if (ctx == NULL) {
		*why = text_printf(TXT_ALERT_ERR_TLS, "reason",
		    tls_reason(ERR_get_error()), NULL);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	ok = ca_file != NULL ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
			     : SSL_CTX_set_default_verify_paths(ctx);
	if (ok != 1) {
		*why = text_printf(TXT_ALERT_ERR_CA_FILE, "file",
		    ca_file != NULL ? ca_file : "(system)", "reason",
		    tls_reason(ERR_get_error()), NULL);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

SSL *
tls_client_session(SSL_CTX *ctx, const char *host, bool host_is_ip)
{
	SSL *ssl = SSL_new(ctx);

	if (ssl == NULL)
		return NULL;
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (host_is_ip) {
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) ==
		    1)
			return ssl;
	} else if (SSL_set1_host(ssl, host) == 1 &&
	    SSL_set_tlsext_host_name(ssl, host) == 1)
		return ssl;
	SSL_free(ssl);
	return NULL;
}

void
https_address_clear(struct https_address *a)
{
	free(a->url);
	free(a->host);
	free(a->target);
	free(a->host_header);
	memset(a, 0, sizeof *a);
}

void
https_address_parse(struct https_address *a, const char *url)
{
	struct evhttp_uri *uri = evhttp_uri_parse(url);
	const char *scheme, *host, *path, *query;
	size_t len;

	a->url = xstrdup(url);
	if (uri == NULL || (scheme = evhttp_uri_get_scheme(uri)) == NULL ||
	    strcasecmp(scheme, "https") != 0 ||
	    (host = evhttp_uri_get_host(uri)) == NULL ||
	    (len = strlen(host)) == 0) {
		if (uri != NULL)
			evhttp_uri_free(uri);
		return;
	}
	if (host[0] == '[' && len > 2 && host[len - 1] == ']')
		a->host = xstrndup(host + 1, len - 2);
	else
		a->host = xstrdup(host);
	a->host_is_ip = tls_is_ip_literal(a->host);
	a->port = evhttp_uri_get_port(uri) > 0 ? evhttp_uri_get_port(uri) : 443;
	path = evhttp_uri_get_path(uri);
	query = evhttp_uri_get_query(uri);
	a->target =
	    xasprintf("%s%s%s", path != NULL && path[0] != '\0' ? path : "/",
		query != NULL ? "?" : "", query != NULL ? query : "");
	a->host_header =
	    a->port == 443 ? xstrdup(host) : xasprintf("%s:%d", host, a->port);
	evhttp_uri_free(uri);
}
