/* SPDX-License-Identifier: MIT
 * testd - a test-only line daemon on the real skeleton and connection
 * code, used by the integration tests to exercise the master: inet and
 * unix listeners, privilege drops, crashes, and children that ignore
 * SIGTERM. Never installed.
 *
 * Commands (one per line): PING -> PONG; WHOAMI -> "uid=U gid=G pid=P
 * service=S"; ECHO text -> text; CRASH -> abort(); IGNORETERM -> this
 * process ignores SIGTERM from now on; QUIT -> BYE and close. A line over
 * 512 bytes gets "ERR line too long".
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail/server.h"
#include "util/conn.h"
#include "util/event.h"
#include "util/msg.h"

struct testd_client {
    struct server *server;
    struct conn *conn;
};

/* client_close - the connection ended */
static void client_close(struct conn *c, enum conn_close_reason reason, void *ctx)
{
    struct testd_client *client = ctx;

    (void)reason;
    conn_destroy(&c);
    server_client_done(client->server);
    free(client);
}

/* client_command - one command line */
static void client_command(struct testd_client *client, const char *line)
{
    if (strcmp(line, "PING") == 0) {
        conn_printf(client->conn, "PONG\r\n");
    } else if (strcmp(line, "WHOAMI") == 0) {
        conn_printf(client->conn, "uid=%d gid=%d pid=%ld service=%s\r\n", (int)getuid(), (int)getgid(),
                    (long)getpid(), server_service(client->server));
    } else if (strncmp(line, "ECHO ", 5) == 0) {
        conn_printf(client->conn, "%s\r\n", line + 5);
    } else if (strcmp(line, "CRASH") == 0) {
        msg_warn("crashing on request");
        abort();
    } else if (strcmp(line, "IGNORETERM") == 0) {
        event_signal_remove(server_loop(client->server), SIGTERM);
        conn_printf(client->conn, "OK\r\n");
    } else if (strcmp(line, "QUIT") == 0) {
        conn_printf(client->conn, "BYE\r\n");
        conn_close_after_flush(client->conn);
    } else {
        conn_printf(client->conn, "ERR unknown command\r\n");
    }
}

/* client_input - read complete lines */
static void client_input(struct conn *c, void *ctx)
{
    struct conn_line line;
    char text[520];
    int rc;

    while ((rc = conn_read_line(c, &line)) != 0) {
        if (rc < 0) {
            conn_printf(c, "ERR line too long\r\n");
            continue;
        }
        snprintf(text, sizeof(text), "%.*s", (int)line.len, line.data);
        client_command(ctx, text);
    }
}

static const struct conn_callbacks client_callbacks = {
    .on_input = client_input,
    .on_close = client_close,
};

/* testd_connection - a new client */
static void testd_connection(struct server *s, int fd, const struct sockaddr *peer, socklen_t len)
{
    struct testd_client *client = calloc(1, sizeof(*client));
    struct conn_params params;

    (void)peer;
    (void)len;
    if (client == NULL)
        msg_fatal("out of memory");
    conn_params_default(&params);
    params.max_line = 512;
    params.idle_timeout_ms = 60000;
    client->server = s;
    client->conn = conn_create(server_loop(s), fd, &params, &client_callbacks, client);
    conn_printf(client->conn, "testd ready\r\n");
}

int main(int argc, char **argv)
{
    static const struct server_callbacks callbacks = {
        .program = "testd",
        .on_connection = testd_connection,
    };

    return server_main(argc, argv, &callbacks);
}
