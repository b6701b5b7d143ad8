/* SPDX-License-Identifier: MIT
 * test_listen - listening sockets: inet on IPv4 and IPv6 literals (bound to
 * the right address and port, listening, non-blocking, close-on-exec), a
 * busy port refused, invalid specs refused; UNIX sockets created with
 * exactly the mode asked whatever the umask, stale sockets replaced, other
 * files refused, path length bounded; listen_open choosing by the spec.
 *
 * Ports: port 0 is not a valid listen address, so a free port is found by
 * binding a probe socket to port 0 and closing it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mail/listen.h"
#include "test.h"

/* free_port - a TCP port nobody listens on right now (family AF_INET/6) */
static int free_port(int family)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    socklen_t addrlen = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int port = -1;

    memset(&ss, 0, sizeof(ss));
    ss.ss_family = (sa_family_t)family;
    if (family == AF_INET)
        ((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else
        ((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&ss, addrlen) == 0
        && getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
        port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                       : ((struct sockaddr_in6 *)&ss)->sin6_port);
    if (fd >= 0)
        close(fd);
    if (port <= 0)
        test_fail(__FILE__, __LINE__, "cannot find a free port: %s", strerror(errno));
    return port;
}

/* sock_name - "ADDR port PORT" of a bound socket */
static const char *sock_name(int fd)
{
    static char text[128];
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char addr[INET6_ADDRSTRLEN];

    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return "(getsockname failed)";
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

        inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
        snprintf(text, sizeof(text), "%s port %d", addr, ntohs(sin->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

        inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
        snprintf(text, sizeof(text), "[%s] port %d", addr, ntohs(sin6->sin6_port));
    } else {
        snprintf(text, sizeof(text), "family %d", ss.ss_family);
    }
    return text;
}

/* expect_listener - a listening, non-blocking, close-on-exec stream socket */
static void expect_listener(int fd)
{
    int on = 0, type = 0;
    socklen_t len = sizeof(on);

    EXPECT_TRUE((fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    EXPECT_TRUE((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    EXPECT_INT(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len), 0);
    EXPECT_INT(on, 1);
    len = sizeof(type);
    EXPECT_INT(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len), 0);
    EXPECT_INT(type, SOCK_STREAM);
}

/* connect_to - can a client connect to this listening socket? 0 or errno */
static int connect_to(int listen_fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int fd, rc;

    if (getsockname(listen_fd, (struct sockaddr *)&ss, &len) < 0)
        return errno;
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errno;
    rc = connect(fd, (struct sockaddr *)&ss, len) == 0 ? 0 : errno;
    close(fd);
    return rc;
}

/* test_inet - IPv4 and IPv6 literals give one socket on that address */
static void test_inet(void)
{
    static const struct {
        const char *host; /* the spec is HOST:PORT */
        int family;
        const char *want; /* sock_name without the port number */
    } cases[] = {
        { "127.0.0.1", AF_INET, "127.0.0.1 port " },
        { "[::1]", AF_INET6, "[::1] port " },
        { "localhost", AF_INET, NULL },
    };
    char spec[64], want[64];
    const char *error;
    int fds[4], port, v6only;
    socklen_t len;
    size_t i, n;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        port = free_port(cases[i].family);
        snprintf(spec, sizeof(spec), "%s:%d", cases[i].host, port);
        n = 99;
        error = NULL;
        if (!EXPECT_INT(listen_inet(spec, fds, 4, &n, &error), 0)) {
            fprintf(stderr, "  %s: %s\n", spec, error);
            continue;
        }
        if (cases[i].want == NULL) {
            /* a name: at least one socket, each on the port */
            EXPECT_TRUE(n >= 1 && n <= 4);
        } else {
            EXPECT_INT(n, 1);
            snprintf(want, sizeof(want), "%s%d", cases[i].want, port);
            EXPECT_STR(sock_name(fds[0]), want);
        }
        while (n > 0) {
            n--;
            expect_listener(fds[n]);
            EXPECT_INT(connect_to(fds[n]), 0);
            v6only = 0;
            len = sizeof(v6only);
            if (strncmp(sock_name(fds[n]), "[", 1) == 0) {
                /* an IPv6 socket never also takes IPv4 */
                EXPECT_INT(getsockopt(fds[n], IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len), 0);
                EXPECT_INT(v6only, 1);
            }
            close(fds[n]);
        }
    }
}

/* test_inet_wildcard - "*:PORT" and "PORT" listen on every address */
static void test_inet_wildcard(void)
{
    static const char *const forms[] = { "*:", "" };
    char spec[64], want4[64], want6[64];
    const char *error, *name;
    int fds[4], port, ipv4;
    size_t i, n;

    for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        port = free_port(AF_INET);
        snprintf(spec, sizeof(spec), "%s%d", forms[i], port);
        snprintf(want4, sizeof(want4), "0.0.0.0 port %d", port);
        snprintf(want6, sizeof(want6), "[::] port %d", port);
        n = 0;
        error = NULL;
        if (!EXPECT_INT(listen_inet(spec, fds, 4, &n, &error), 0)) {
            fprintf(stderr, "  %s: %s\n", spec, error);
            continue;
        }
        EXPECT_TRUE(n >= 1 && n <= 2);
        ipv4 = 0;
        while (n > 0) {
            name = sock_name(fds[--n]);
            ipv4 += strcmp(name, want4) == 0;
            if (strcmp(name, want4) != 0)
                EXPECT_STR(name, want6);
            expect_listener(fds[n]);
            close(fds[n]);
        }
        EXPECT_INT(ipv4, 1);
    }
}

/* test_inet_busy - a second listener on the same port is refused */
static void test_inet_busy(void)
{
    const char *error = NULL;
    char spec[64], want[128];
    int fds[2], more[2], port = free_port(AF_INET);
    size_t n = 0, m = 0;

    snprintf(spec, sizeof(spec), "127.0.0.1:%d", port);
    EXPECT_INT(listen_inet(spec, fds, 2, &n, &error), 0);
    EXPECT_INT(n, 1);
    EXPECT_INT(listen_inet(spec, more, 2, &m, &error), -1);
    snprintf(want, sizeof(want), "cannot listen on %s: Address already in use", spec);
    EXPECT_STR(error, want);
    if (n == 1)
        close(fds[0]);
    /* free again: the failed attempt left nothing bound */
    EXPECT_INT(listen_inet(spec, more, 2, &m, &error), 0);
    if (m == 1)
        close(more[0]);
}

/* test_inet_invalid - specs the listener refuses, with the reason */
static void test_inet_invalid(void)
{
    static const struct {
        const char *spec;
        const char *error;
    } cases[] = {
        { "127.0.0.1:0", "invalid port" },
        { "127.0.0.1:65536", "invalid port" },
        { "127.0.0.1:smtp", "invalid port" },
        { "127.0.0.1:", "invalid port" },
        { "::1:25", "[IPV6]:PORT" },
        { "[::1", "[IPV6]:PORT" },
        { "[not-v6]:25", "invalid IPv6 address" },
        { "bad host!:25", "invalid host" },
    };
    const char *error;
    int fds[2];
    size_t i, n;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        error = NULL;
        n = 0;
        if (!EXPECT_INT(listen_inet(cases[i].spec, fds, 2, &n, &error), -1)) {
            while (n > 0)
                close(fds[--n]);
            continue;
        }
        EXPECT_CONTAINS(error, cases[i].error);
        EXPECT_CONTAINS(error, cases[i].spec);
    }
}

/* test_inet_no_room - more addresses than slots: refused, nothing left open */
static void test_inet_no_room(void)
{
    const char *error = NULL;
    char spec[64], want[128];
    int fds[1], port = free_port(AF_INET);
    size_t n = 0;

    snprintf(spec, sizeof(spec), "127.0.0.1:%d", port);
    EXPECT_INT(listen_inet(spec, fds, 0, &n, &error), -1);
    snprintf(want, sizeof(want), "%s: more than 0 addresses", spec);
    EXPECT_STR(error, want);
    EXPECT_INT(listen_inet(spec, fds, 1, &n, &error), 0);
    close(fds[0]);
}

/* unix_path - a socket path under the test directory */
static const char *unix_path(const char *name)
{
    static char path[4096];

    snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
    return path;
}

/* test_unix_mode - the socket file has exactly the mode asked */
static void test_unix_mode(void)
{
    static const struct {
        mode_t umask;
        mode_t mode;
    } cases[] = {
        { 0, 0600 }, { 0, 0666 }, { 077, 0666 }, { 022, 0660 }, { 0777, 0600 },
    };
    const char *path = unix_path("mode.sock");
    const char *error;
    struct stat st;
    mode_t old, after;
    size_t i;
    int fd;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unlink(path);
        old = umask(cases[i].umask);
        fd = -1;
        error = NULL;
        EXPECT_INT(listen_unix(path, cases[i].mode, (uid_t)-1, (gid_t)-1, &fd, &error), 0);
        /* the umask is put back */
        after = umask(old);
        EXPECT_INT(after, cases[i].umask);
        EXPECT_INT(lstat(path, &st), 0);
        EXPECT_TRUE(S_ISSOCK(st.st_mode));
        if (!EXPECT_INT(st.st_mode & 07777, cases[i].mode))
            fprintf(stderr, "  case %zu: umask %03o\n", i, (unsigned)cases[i].umask);
        if (fd >= 0) {
            expect_listener(fd);
            EXPECT_INT(connect_to(fd), 0);
            close(fd);
        }
    }
    unlink(path);
}

/* test_unix_owner - the socket file gets the owner and group asked */
static void test_unix_owner(void)
{
    const char *path = unix_path("owner.sock");
    uid_t uid = getuid() == 0 ? 65534 : getuid();
    gid_t gid = getuid() == 0 ? 65534 : getgid();
    const char *error = NULL;
    struct stat st;
    int fd = -1;

    unlink(path);
    EXPECT_INT(listen_unix(path, 0660, uid, gid, &fd, &error), 0);
    EXPECT_INT(lstat(path, &st), 0);
    EXPECT_INT(st.st_uid, uid);
    EXPECT_INT(st.st_gid, gid);
    EXPECT_INT(st.st_mode & 07777, 0660);
    close(fd);
    unlink(path);
}

/* test_unix_stale - a socket file nobody listens on is replaced */
static void test_unix_stale(void)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    const char *path = unix_path("stale.sock");
    const char *error = NULL;
    struct stat st;
    int old_fd, fd = -1;

    unlink(path);
    if (!EXPECT_TRUE(strlen(path) < sizeof(sun.sun_path)))
        return;
    memcpy(sun.sun_path, path, strlen(path) + 1);
    old_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_INT(bind(old_fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
    close(old_fd); /* the file stays, as after a crash */
    EXPECT_INT(lstat(path, &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_INT(listen_unix(path, 0600, (uid_t)-1, (gid_t)-1, &fd, &error), 0);
    if (fd >= 0) {
        EXPECT_INT(connect_to(fd), 0);
        close(fd);
    }
    unlink(path);
}

/* test_unix_refuses - other kinds of file at the path are left alone */
static void test_unix_refuses(void)
{
    char file[4200], dir[4200], link_path[4200], want[4400];
    const char *error;
    struct stat st;
    int fd = -1;

    snprintf(file, sizeof(file), "%s", unix_path("regular"));
    snprintf(dir, sizeof(dir), "%s", unix_path("a-dir"));
    snprintf(link_path, sizeof(link_path), "%s", unix_path("a-link"));
    test_write_file(file, "keep me");
    EXPECT_INT(mkdir(dir, 0755), 0);
    EXPECT_INT(symlink(file, link_path), 0);

    error = NULL;
    EXPECT_INT(listen_unix(file, 0600, (uid_t)-1, (gid_t)-1, &fd, &error), -1);
    snprintf(want, sizeof(want), "%s exists and is not a socket", file);
    EXPECT_STR(error, want);
    EXPECT_INT(lstat(file, &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    EXPECT_INT(st.st_size, 7);

    error = NULL;
    EXPECT_INT(listen_unix(dir, 0600, (uid_t)-1, (gid_t)-1, &fd, &error), -1);
    snprintf(want, sizeof(want), "%s exists and is not a socket", dir);
    EXPECT_STR(error, want);

    error = NULL;
    EXPECT_INT(listen_unix(link_path, 0600, (uid_t)-1, (gid_t)-1, &fd, &error), -1);
    snprintf(want, sizeof(want), "%s exists and is not a socket", link_path);
    EXPECT_STR(error, want);
    EXPECT_INT(lstat(link_path, &st), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode));

    /* a missing directory: the error names the path */
    error = NULL;
    snprintf(file, sizeof(file), "%s", unix_path("no-such-dir/x.sock"));
    EXPECT_INT(listen_unix(file, 0600, (uid_t)-1, (gid_t)-1, &fd, &error), -1);
    snprintf(want, sizeof(want), "cannot listen on %s: No such file or directory", file);
    EXPECT_STR(error, want);
}

/* test_unix_path_length - sun_path holds at most 107 bytes and a NUL */
static void test_unix_path_length(void)
{
    static const struct {
        size_t len;
        int ret;
    } cases[] = { { 107, 0 }, { 108, -1 }, { 200, -1 } };
    const char *dir = test_tmpdir();
    char path[256], want[300];
    const char *error;
    size_t i, dlen = strlen(dir);
    int fd;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (dlen + 2 >= cases[i].len) {
            test_fail(__FILE__, __LINE__, "test directory name too long: %s", dir);
            return;
        }
        memset(path, 'p', cases[i].len);
        memcpy(path, dir, dlen);
        path[dlen] = '/';
        path[cases[i].len] = '\0';
        fd = -1;
        error = NULL;
        EXPECT_INT(listen_unix(path, 0600, (uid_t)-1, (gid_t)-1, &fd, &error), cases[i].ret);
        if (cases[i].ret == 0) {
            EXPECT_INT(connect_to(fd), 0);
            close(fd);
            unlink(path);
        } else {
            snprintf(want, sizeof(want), "socket path too long: %s", path);
            EXPECT_STR(error, want);
        }
    }
}

/* test_listen_open - a '/' in the spec means a UNIX socket with mode 0600 */
static void test_listen_open(void)
{
    const char *path = unix_path("open.sock");
    const char *error = NULL;
    char spec[64], want[64];
    struct stat st;
    int fds[2], port;
    size_t n = 0;
    mode_t old;

    unlink(path);
    old = umask(0);
    EXPECT_INT(listen_open(path, fds, 2, &n, &error), 0);
    umask(old);
    EXPECT_INT(n, 1);
    EXPECT_INT(lstat(path, &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_INT(st.st_mode & 07777, 0600);
    if (n == 1) {
        expect_listener(fds[0]);
        close(fds[0]);
    }

    port = free_port(AF_INET);
    snprintf(spec, sizeof(spec), "127.0.0.1:%d", port);
    n = 0;
    EXPECT_INT(listen_open(spec, fds, 2, &n, &error), 0);
    EXPECT_INT(n, 1);
    snprintf(want, sizeof(want), "127.0.0.1 port %d", port);
    if (n == 1) {
        EXPECT_STR(sock_name(fds[0]), want);
        expect_listener(fds[0]);
        close(fds[0]);
    }

    error = NULL;
    EXPECT_INT(listen_open(spec, fds, 0, &n, &error), -1);
    EXPECT_STR(error, "no room for a listener");
    unlink(path);
}

/* main - run every case */
int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_inet),
        TEST_CASE(test_inet_wildcard),
        TEST_CASE(test_inet_busy),
        TEST_CASE(test_inet_invalid),
        TEST_CASE(test_inet_no_room),
        TEST_CASE(test_unix_mode),
        TEST_CASE(test_unix_owner),
        TEST_CASE(test_unix_stale),
        TEST_CASE(test_unix_refuses),
        TEST_CASE(test_unix_path_length),
        TEST_CASE(test_listen_open),
        TEST_END,
    });
}
