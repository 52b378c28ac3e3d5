/* The floor of make bench: the least an SMTP server started per
 * connection can cost.  Linked static (gcc -static), it speaks just enough
 * SMTP on stdin/stdout (inetd style) for smtp-source: a greeting, 250 to
 * every command, 354 and a 250 after DATA's final dot, 221 to QUIT.  It
 * keeps and writes nothing: no delivery, no fsync, no TLS, no limits. */
#include <string.h>
#include <strings.h>
#include <unistd.h>

static char buf[65536];
static size_t have, at;

static int next_line(char *line, size_t max) {
    size_t n = 0;
    for (;;) {
        if (at == have) {
            ssize_t r = read(0, buf, sizeof buf);
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

static void say(const char *text) { (void)!write(1, text, strlen(text)); }

int main(void) {
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
