/*
 * test_sockets.c: the sockets of a tool's processes (platform/linux/
 * sockets.c): descriptor links, stat lines, addresses, a sock_diag answer
 * matched against the table (made up, malformed ones too), and real looks
 * at this test's own sockets and those of a child it starts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "platform/linux/sockets.h"
#include "platform/platform.h"

/* ---------------------------------------------------------------------- */
/* Text                                                                   */
/* ---------------------------------------------------------------------- */

static void
test_inode_of_a_socket_link(void **state)
{
	(void)state;
	assert_int_equal(socket_inode_of("socket:[12345]"), 12345);
	assert_int_equal(socket_inode_of("socket:[4294967295]"), 4294967295ULL);
	assert_int_equal(socket_inode_of("pipe:[12345]"), 0);
	assert_int_equal(socket_inode_of("anon_inode:[eventfd]"), 0);
	assert_int_equal(socket_inode_of("/dev/null"), 0);
	assert_int_equal(socket_inode_of("socket:[]"), 0);
	assert_int_equal(socket_inode_of("socket:[12a]"), 0);
	assert_int_equal(socket_inode_of("socket:[12]x"), 0);
	assert_int_equal(socket_inode_of("socket:[12"), 0);
	assert_int_equal(
	    socket_inode_of("socket:[99999999999999999999999]"), 0);
	assert_int_equal(socket_inode_of(""), 0);
}

static void
test_stat_line_with_a_strange_command_name(void **state)
{
	const char *line = "4242 (a) (b) c) S 77 4242 4242 0 -1 4194560 "
			   "100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10\n";
	unsigned long long start = 0;
	pid_t ppid = 0;

	(void)state;
	assert_int_equal(socket_parse_stat(line, &ppid, &start), 0);
	assert_int_equal(ppid, 77);
	assert_int_equal(start, 987654);
}

static void
test_stat_line_that_is_cut_short_is_refused(void **state)
{
	unsigned long long start;
	pid_t ppid;

	(void)state;
	assert_int_equal(
	    socket_parse_stat("4242 (x) S 1 2 3", &ppid, &start), -1);
	assert_int_equal(
	    socket_parse_stat("no parentheses", &ppid, &start), -1);
	assert_int_equal(socket_parse_stat(") S 1 (", &ppid, &start), -1);
	assert_int_equal(socket_parse_stat("1 (x) S x 1 1 0 -1 0 0 0 0 0 0 0 "
					   "0 0 20 0 1 0 5",
			     &ppid, &start),
	    -1);
}

static void
v4(uint32_t addr[4], const char *text)
{
	memset(addr, 0, 16);
	assert_int_equal(inet_pton(AF_INET, text, addr), 1);
}

static void
v6(uint32_t addr[4], const char *text)
{
	assert_int_equal(inet_pton(AF_INET6, text, addr), 1);
}

static void
test_addresses_are_written_as_the_trace_wants_them(void **state)
{
	uint32_t a[4];
	char buf[SOCKET_ADDRESS_MAX];

	(void)state;
	v4(a, "203.0.113.5");
	socket_format_address(AF_INET, a, 443, buf, sizeof buf);
	assert_string_equal(buf, "203.0.113.5:443");
	v6(a, "2001:db8::5");
	socket_format_address(AF_INET6, a, 21118, buf, sizeof buf);
	assert_string_equal(buf, "[2001:db8::5]:21118");
	v6(a, "::ffff:192.0.2.7");
	socket_format_address(AF_INET6, a, 7070, buf, sizeof buf);
	assert_string_equal(buf, "192.0.2.7:7070");
	v6(a, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	socket_format_address(AF_INET6, a, 65535, buf, sizeof buf);
	assert_string_equal(
	    buf, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
}

static void
test_loopback_is_all_of_127_and_the_v6_one(void **state)
{
	uint32_t a[4];

	(void)state;
	v4(a, "127.0.0.1");
	assert_true(socket_address_loopback(AF_INET, a));
	v4(a, "127.5.6.7");
	assert_true(socket_address_loopback(AF_INET, a));
	v4(a, "10.0.0.1");
	assert_false(socket_address_loopback(AF_INET, a));
	v4(a, "0.0.0.0");
	assert_false(socket_address_loopback(AF_INET, a));
	v6(a, "::1");
	assert_true(socket_address_loopback(AF_INET6, a));
	v6(a, "::ffff:127.0.0.2");
	assert_true(socket_address_loopback(AF_INET6, a));
	v6(a, "::");
	assert_false(socket_address_loopback(AF_INET6, a));
	v6(a, "::2");
	assert_false(socket_address_loopback(AF_INET6, a));
	v6(a, "fe80::1");
	assert_false(socket_address_loopback(AF_INET6, a));
}

/* ---------------------------------------------------------------------- */
/* A made-up dump                                                         */
/* ---------------------------------------------------------------------- */

struct dump {
	char buf[8192] __attribute__((aligned(8)));
	size_t len;
};

static struct nlmsghdr *
dump_add(struct dump *d, uint16_t type, size_t payload)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(d->buf + d->len);

	assert_true(d->len + NLMSG_SPACE(payload) <= sizeof d->buf);
	memset(h, 0, NLMSG_SPACE(payload));
	h->nlmsg_len = (uint32_t)NLMSG_LENGTH(payload);
	h->nlmsg_type = type;
	d->len += NLMSG_SPACE(payload);
	return h;
}

static void
dump_socket(struct dump *d, int family, int state, const char *src, int sport,
    const char *dst, int dport, unsigned inode)
{
	struct inet_diag_msg *m = NLMSG_DATA(
	    dump_add(d, SOCK_DIAG_BY_FAMILY, sizeof(struct inet_diag_msg)));

	m->idiag_family = (uint8_t)family;
	m->idiag_state = (uint8_t)state;
	m->id.idiag_sport = htons((uint16_t)sport);
	m->id.idiag_dport = htons((uint16_t)dport);
	assert_int_equal(inet_pton(family, src, m->id.idiag_src), 1);
	assert_int_equal(inet_pton(family, dst, m->id.idiag_dst), 1);
	m->idiag_inode = inode;
}

static void
dump_done(struct dump *d)
{
	dump_add(d, NLMSG_DONE, sizeof(int));
}

struct fixture {
	struct socket_look *look;
	struct proc_socket out[16];
	struct socket_results res;
	struct dump dump;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	f->look = socket_look_new();
	f->res.out = f->out;
	f->res.max = 16;
	f->res.per_group = 16;
	socket_table_add(f->look, 100, 500, 0); /* the tool */
	socket_table_add(f->look, 200, 501, 1); /* another tool */
	socket_table_add(f->look, 300, 500, 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	socket_look_free(f->look);
	free(f);
	return 0;
}

static void
test_a_dump_gives_the_tools_sockets_and_no_others(void **state)
{
	struct fixture *f = *state;
	struct dump *d = &f->dump;

	dump_socket(d, AF_INET, 10, "0.0.0.0", 21118, "0.0.0.0", 0, 100);
	dump_socket(d, AF_INET, 1, "10.0.0.1", 22, "10.0.0.9", 5555, 999);
	dump_socket(
	    d, AF_INET6, 1, "2001:db8::1", 40000, "2001:db8::5", 443, 200);
	dump_socket(d, AF_INET, 1, "127.0.0.1", 41000, "127.0.0.1", 21118, 300);
	dump_done(d);
	assert_int_equal(
	    socket_take_dump(f->look, d->buf, d->len, IPPROTO_TCP, &f->res), 1);
	assert_int_equal(f->res.count, 3);
	assert_int_equal(f->out[0].kind, SOCKET_LISTENER);
	assert_int_equal(f->out[0].port, 21118);
	assert_int_equal(f->out[0].pid, 500);
	assert_string_equal(f->out[0].remote, "");
	assert_false(f->out[0].loopback);
	assert_int_equal(f->out[1].kind, SOCKET_CONNECTION);
	assert_int_equal(f->out[1].group, 1);
	assert_int_equal(f->out[1].port, 40000);
	assert_string_equal(f->out[1].remote, "[2001:db8::5]:443");
	assert_false(f->out[1].udp);
	assert_true(f->out[2].loopback);
	assert_string_equal(f->out[2].remote, "127.0.0.1:21118");
	assert_false(f->res.truncated);
}

static void
test_a_socket_is_listed_once_and_odd_states_not_at_all(void **state)
{
	struct fixture *f = *state;
	struct dump *d = &f->dump;

	dump_socket(d, AF_INET, 1, "10.0.0.1", 1, "10.0.0.2", 2, 100);
	dump_socket(d, AF_INET, 1, "10.0.0.1", 1, "10.0.0.2", 2, 100);
	dump_socket(d, AF_INET, 7, "10.0.0.1", 3, "0.0.0.0", 0, 300);
	assert_int_equal(
	    socket_take_dump(f->look, d->buf, d->len, IPPROTO_UDP, &f->res), 0);
	assert_int_equal(f->res.count, 1);
	assert_true(f->out[0].udp);
	assert_int_equal(f->out[0].kind, SOCKET_CONNECTION);
}

static void
test_limits_leave_sockets_out_and_say_so(void **state)
{
	struct fixture *f = *state;
	struct dump *d = &f->dump;

	f->res.per_group = 1;
	dump_socket(d, AF_INET, 10, "0.0.0.0", 1, "0.0.0.0", 0, 100);
	dump_socket(d, AF_INET, 10, "0.0.0.0", 2, "0.0.0.0", 0, 300);
	dump_socket(d, AF_INET, 10, "0.0.0.0", 3, "0.0.0.0", 0, 200);
	socket_take_dump(f->look, d->buf, d->len, IPPROTO_TCP, &f->res);
	assert_int_equal(f->res.count, 2); /* one of group 0, one of 1 */
	assert_int_equal(f->out[0].port, 1);
	assert_int_equal(f->out[1].port, 3);
	assert_true(f->res.truncated);
}

static void
test_an_error_from_the_kernel_is_its_errno(void **state)
{
	struct fixture *f = *state;
	struct dump *d = &f->dump;
	struct nlmsgerr *e =
	    NLMSG_DATA(dump_add(d, NLMSG_ERROR, sizeof(struct nlmsgerr)));

	e->error = -ENOENT;
	errno = 0;
	assert_int_equal(
	    socket_take_dump(f->look, d->buf, d->len, IPPROTO_UDP, &f->res),
	    -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_a_malformed_datagram_is_refused(void **state)
{
	struct fixture *f = *state;
	struct dump *d = &f->dump;
	struct nlmsghdr *h;

	dump_socket(d, AF_INET, 10, "0.0.0.0", 1, "0.0.0.0", 0, 100);
	h = dump_add(d, SOCK_DIAG_BY_FAMILY, sizeof(struct inet_diag_msg));
	h->nlmsg_len = 100000; /* longer than what came */
	assert_int_equal(
	    socket_take_dump(f->look, d->buf, d->len, IPPROTO_TCP, &f->res),
	    -1);
	assert_int_equal(errno, EBADMSG);
	assert_int_equal(f->res.count, 1); /* what came before it counts */

	/* Too short to be a socket: skipped. */
	d->len = 0;
	f->res.count = 0;
	dump_add(d, SOCK_DIAG_BY_FAMILY, 8);
	dump_done(d);
	assert_int_equal(
	    socket_take_dump(f->look, d->buf, d->len, IPPROTO_TCP, &f->res), 1);
	assert_int_equal(f->res.count, 0);

	/* A header that claims less than itself. */
	d->len = 0;
	h = dump_add(d, NLMSG_DONE, 4);
	h->nlmsg_len = 4;
	assert_int_equal(
	    socket_take_dump(f->look, d->buf, d->len, IPPROTO_TCP, &f->res),
	    -1);
}

static void
test_the_table_is_bounded(void **state)
{
	struct socket_look *l = socket_look_new();
	unsigned long long inode;
	int rc = 0;

	(void)state;
	for (inode = 1; inode < 100000 && rc == 0; inode++)
		rc = socket_table_add(l, inode, 1, 0);
	assert_int_equal(rc, -1);
	assert_true(inode > 1000 && inode < 100000);
	/* A socket it has is still found, one more is not taken. */
	assert_int_equal(socket_table_add(l, 5, 1, 0), 0);
	assert_int_equal(socket_table_add(l, 200000, 1, 0), -1);
	socket_table_clear(l);
	assert_int_equal(socket_table_add(l, 200000, 1, 0), 0);
	socket_look_free(l);
}

/* ---------------------------------------------------------------------- */
/* Real looks                                                             */
/* ---------------------------------------------------------------------- */

static int
listen_on(int family, const char *address)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), off = 0;

	assert_true(fd >= 0);
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, address, &in->sin_addr), 1);
		len = sizeof *in;
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		assert_int_equal(
		    inet_pton(AF_INET6, address, &in6->sin6_addr), 1);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
		len = sizeof *in6;
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static int
port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int
connect_to(int port)
{
	struct sockaddr_in in = { .sin_family = AF_INET,
		.sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&in, sizeof in), 0);
	return fd;
}

static const struct proc_socket *
find_port(const struct proc_socket *s, int n, enum socket_kind kind, int port)
{
	for (int i = 0; i < n; i++)
		if (s[i].kind == kind && s[i].port == port)
			return &s[i];
	return NULL;
}

static int
look(struct socket_look *l, const struct socket_owner *owners, size_t n,
    struct proc_socket *out, size_t max, bool *truncated)
{
	char err[256] = "";
	int found = socket_look(
	    l, owners, n, max, out, max, truncated, err, sizeof err);

	if (found < 0)
		fail_msg("socket_look: %s", err);
	return found;
}

static void
test_a_look_finds_this_process_listening_and_connected(void **state)
{
	struct socket_look *l = socket_look_new();
	struct socket_owner me = { getpid(), 3, 0 }, owners[8];
	struct proc_socket out[32];
	const struct proc_socket *s;
	int server = listen_on(AF_INET, "127.0.0.1"), port = port_of(server);
	int client = connect_to(port), accepted = accept(server, NULL, NULL);
	bool truncated = true;
	size_t n;
	int found;
	char remote[32];

	(void)state;
	assert_true(accepted >= 0);
	n = socket_owners(l, &me, 1, owners, 8);
	assert_true(n >= 1);
	assert_int_equal(owners[0].pid, getpid());
	assert_int_equal(owners[0].group, 3);
	found = look(l, owners, n, out, 32, &truncated);
	assert_false(truncated);
	s = find_port(out, found, SOCKET_LISTENER, port);
	assert_non_null(s);
	assert_true(s->loopback);
	assert_int_equal(s->group, 3);
	assert_int_equal(s->pid, getpid());
	/* The accepted side: local port is the listener's. */
	s = find_port(out, found, SOCKET_CONNECTION, port);
	assert_non_null(s);
	assert_true(s->loopback);
	/* The client side: its remote is the listener. */
	snprintf(remote, sizeof remote, "127.0.0.1:%d", port);
	s = find_port(out, found, SOCKET_CONNECTION, port_of(client));
	assert_non_null(s);
	assert_string_equal(s->remote, remote);
	close(accepted);
	close(client);
	close(server);
	socket_look_free(l);
}

static void
test_a_child_and_its_listener_belong_to_the_tool(void **state)
{
	struct socket_look *l = socket_look_new();
	struct socket_owner known[2] = { { getpid(), 1, 0 } }, owners[16];
	struct proc_socket out[32];
	int ready[2], port = 0;
	bool truncated;
	size_t n;
	int found;
	pid_t child;

	(void)state;
	assert_int_equal(pipe(ready), 0);
	if ((child = fork()) == 0) {
		int fd = listen_on(AF_INET6, "::");

		port = port_of(fd);
		if (write(ready[1], &port, sizeof port) != sizeof port)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(ready[0], &port, sizeof port), sizeof port);
	n = socket_owners(l, known, 1, owners, 16);
	assert_true(n >= 2);
	found = look(l, owners, n, out, 32, &truncated);
	{
		const struct proc_socket *s =
		    find_port(out, found, SOCKET_LISTENER, port);

		assert_non_null(s);
		assert_int_equal(s->pid, child);
		assert_int_equal(s->group, 1);
		assert_false(s->loopback);
	}
	/* A process handed back with another start time is another one. */
	known[0] = (struct socket_owner){ child, 2, 1 };
	assert_int_equal(socket_owners(l, known, 1, owners, 16), 0);
	/* With its own, it is found, in the group it was given. */
	known[0] = (struct socket_owner){ child, 2, 0 };
	assert_int_equal(socket_owners(l, known, 1, owners, 16), 1);
	assert_int_equal(owners[0].group, 2);
	known[0].start_ticks = owners[0].start_ticks;
	assert_int_equal(socket_owners(l, known, 1, owners, 16), 1);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(ready[0]);
	close(ready[1]);
	socket_look_free(l);
}

static void
test_a_tool_with_many_sockets_is_cut_at_the_limit(void **state)
{
	struct socket_look *l = socket_look_new();
	struct socket_owner me = { getpid(), 0, 0 };
	struct proc_socket out[4];
	char err[128];
	int fds[10];
	bool truncated = false;
	int found;

	(void)state;
	for (int i = 0; i < 10; i++)
		fds[i] = listen_on(AF_INET, "127.0.0.1");
	found = socket_look(l, &me, 1, 3, out, 4, &truncated, err, sizeof err);
	assert_int_equal(found, 3);
	assert_true(truncated);
	for (int i = 0; i < 10; i++)
		close(fds[i]);
	socket_look_free(l);
}

static void
test_a_look_at_processes_without_sockets_asks_no_kernel(void **state)
{
	struct socket_look *l = socket_look_new();
	struct socket_owner gone = { 0x7ffffff0, 0, 0 };
	struct proc_socket out[4];
	char err[128];
	bool truncated = true;

	(void)state;
	assert_int_equal(
	    socket_look(l, &gone, 1, 4, out, 4, &truncated, err, sizeof err),
	    0);
	assert_false(truncated);
	socket_look_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inode_of_a_socket_link),
		cmocka_unit_test(test_stat_line_with_a_strange_command_name),
		cmocka_unit_test(test_stat_line_that_is_cut_short_is_refused),
		cmocka_unit_test(
		    test_addresses_are_written_as_the_trace_wants_them),
		cmocka_unit_test(test_loopback_is_all_of_127_and_the_v6_one),
		cmocka_unit_test_setup_teardown(
		    test_a_dump_gives_the_tools_sockets_and_no_others, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_a_socket_is_listed_once_and_odd_states_not_at_all,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_limits_leave_sockets_out_and_say_so, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_an_error_from_the_kernel_is_its_errno, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_a_malformed_datagram_is_refused, setup, teardown),
		cmocka_unit_test(test_the_table_is_bounded),
		cmocka_unit_test(
		    test_a_look_finds_this_process_listening_and_connected),
		cmocka_unit_test(
		    test_a_child_and_its_listener_belong_to_the_tool),
		cmocka_unit_test(
		    test_a_tool_with_many_sockets_is_cut_at_the_limit),
		cmocka_unit_test(
		    test_a_look_at_processes_without_sockets_asks_no_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
