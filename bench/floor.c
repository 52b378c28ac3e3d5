/* The floors of make bench: the least an SMTP server can cost that starts
 * a fresh process per connection.  It speaks just enough SMTP for
 * smtp-source: a greeting, 250 to every command, 354 and a 250 after
 * DATA's final dot, 221 to QUIT.  It keeps and writes nothing: no
 * delivery, no fsync, no limits.
 *
 * Built plain (gcc -static), it is started per connection and speaks on
 * stdin/stdout (inetd style): the fork+exec floor.
 *
 * Built with -DFORKING (and -lssl -lcrypto), it is a server that forks a
 * session per connection, as the listener's ready smtpd does:
 *     floor PLAIN_PORT TLS_PORT CERT KEY
 * listens on 127.0.0.1, plain on one port and implicit TLS on the other.
 * Its TLS context is made, and one handshake done in memory, before any
 * fork, so a session pays only for what a fresh process must redo: the
 * fork floor, with and without TLS. */
#include <string.h>
#include <strings.h>
#include <unistd.h>

static char buf[65536];
static size_t have, at;

#ifdef FORKING
#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>

static SSL *ssl; /* the session's, when it is a TLS one */
static int conn;

static long get(void) {
    return ssl ? SSL_read(ssl, buf, sizeof buf) : read(conn, buf, sizeof buf);
}
static void put(const char *text, int n) {
    if (ssl)
        (void)SSL_write(ssl, text, n);
    else
        (void)!write(conn, text, (size_t)n);
}
#else
static long get(void) { return read(0, buf, sizeof buf); }
static void put(const char *text, int n) { (void)!write(1, text, (size_t)n); }
#endif

static int next_line(char *line, size_t max) {
    size_t n = 0;
    for (;;) {
        if (at == have) {
            long r = get();
            if (r <= 0) return -1;
            have = (size_t)r, at = 0;
        }
        char c = buf[at++];
        if (c == '\n') break;
        if (n + 1 < max) line[n++] = c;
    }
    if (n > 0 && line[n - 1] == '\r') n--;
    line[n] = '\0';
    return (int)n;
}

static void say(const char *text) { put(text, (int)strlen(text)); }

static int dialogue(void) {
    char line[1024];
    say("220 floor ESMTP\r\n");
    while (next_line(line, sizeof line) >= 0) {
        if (!strncasecmp(line, "QUIT", 4)) {
            say("221 bye\r\n");
            return 0;
        }
        if (!strncasecmp(line, "DATA", 4)) {
            say("354 go\r\n");
            while (next_line(line, sizeof line) >= 0 && strcmp(line, ".") != 0) {
            }
        }
        say("250 ok\r\n");
    }
    return 0;
}

#ifndef FORKING
int main(void) { return dialogue(); }
#else
static void die(const char *what) {
    fprintf(stderr, "floor: %s\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

static int listen_on(const char *port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(port))};
    int one = 1, s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 128) != 0)
        die("cannot listen");
    return s;
}

/* One handshake with a client of our own in memory, as the listener's
 * smtpd does before its first fork. */
static void warm_up(SSL_CTX *server_ctx) {
    SSL_CTX *client_ctx = SSL_CTX_new(TLS_client_method());
    SSL *client = SSL_new(client_ctx), *server = SSL_new(server_ctx);
    BIO *client_bio, *server_bio;
    char byte = 'x';
    if (BIO_new_bio_pair(&client_bio, 0, &server_bio, 0) != 1) die("cannot warm up");
    SSL_set_bio(client, client_bio, client_bio);
    SSL_set_bio(server, server_bio, server_bio);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    for (int i = 0; i < 16; i++)
        if ((SSL_do_handshake(client) == 1) & (SSL_do_handshake(server) == 1)) break;
    if (SSL_write(client, &byte, 1) == 1) (void)SSL_read(server, &byte, 1);
    SSL_free(client);
    SSL_free(server);
    SSL_CTX_free(client_ctx);
}

/* Children are waited for, so that their CPU time and faults count in
 * the server's (bench/measure.py reads them from its first process). */
static void reap(int sig) {
    int saved = errno;
    (void)sig;
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    errno = saved;
}

int main(int argc, char **argv) {
    if (argc != 5) die("usage: floor PLAIN_PORT TLS_PORT CERT KEY");
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, argv[3]) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, argv[4], SSL_FILETYPE_PEM) != 1)
        die("cannot load the certificate and key");
    warm_up(ctx);
    struct pollfd ports[2] = {{.fd = listen_on(argv[1]), .events = POLLIN},
                              {.fd = listen_on(argv[2]), .events = POLLIN}};
    signal(SIGCHLD, reap);
    for (;;) {
        if (poll(ports, 2, -1) < 0 && errno != EINTR) die("poll");
        for (int i = 0; i < 2; i++) {
            if (!(ports[i].revents & POLLIN) || (conn = accept(ports[i].fd, NULL, NULL)) < 0) continue;
            if (fork() == 0) {
                close(ports[0].fd), close(ports[1].fd);
                if (i == 1) {
                    ssl = SSL_new(ctx);
                    if (!ssl || SSL_set_fd(ssl, conn) != 1 || SSL_accept(ssl) != 1) _exit(1);
                }
                dialogue();
                if (ssl) (void)SSL_shutdown(ssl);
                _exit(0);
            }
            close(conn);
        }
    }
}
#endif
