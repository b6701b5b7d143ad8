/* SPDX-License-Identifier: MIT
 * sendmail_opts - parsing the sendmail command line with getopt (see
 * sendmail_opts.h).
 *
 * Trusts: nothing beyond the invoking user's own command line; option
 * values are checked later (addresses by sendmail_rcpt).
 */
#include "sendmail_opts.h"

#include <getopt.h>
#include <string.h>

#include "util/err.h"

const char sendmail_usage[] =
    "Usage: sendmail [-bm|-bs|-bp|-bi] [-t] [-i] [-f SENDER] [-F NAME] [-C DIR] [-v] [--] [RECIPIENT ...]\n";

const char sendmail_help[] =
    "Usage: sendmail [-bm|-bs|-bp|-bi] [-t] [-i] [-f SENDER] [-F NAME] [-C DIR] [-v] [--] [RECIPIENT ...]\n"
    "       mailq        (sendmail -bp)\n"
    "       newaliases   (sendmail -bi)\n"
    "\n"
    "Submit a message read from standard input to the Petrel mail system, as the\n"
    "invoking user (no set-uid or set-gid program is involved).\n"
    "\n"
    "Modes:\n"
    "  -bm            read the message from standard input (the default)\n"
    "  -bs            speak SMTP on standard input and output\n"
    "  -bp            list the queue (petrel queue list), like mailq\n"
    "  -bi, -I        compile the aliases database (petrel newaliases)\n"
    "\n"
    "Options:\n"
    "  -C DIR         configuration directory (default: $PETREL_CONFIG_DIR, else the built-in one)\n"
    "  -f SENDER      envelope sender (also -fSENDER, -r SENDER); \"<>\" or \"\" for none;\n"
    "                 default: your login name @ myorigin\n"
    "  -F NAME        your full name, for the From: header sendmail adds when missing\n"
    "  -i, -oi        a line with a single \".\" does not end the message\n"
    "  -t             also take recipients from the To:, Cc: and Bcc: headers\n"
    "  -v             say what happens on standard error\n"
    "  --             end of options\n"
    "  Ignored, as Postfix does: -oX, -B TYPE, -N DSN, -R RET, -V ENVID, -X LOG, -G, -h N,\n"
    "  -L LABEL, -O OPT, -U.\n"
    "\n"
    "The Bcc: header is always removed; From:, Date: and Message-ID: are added when\n"
    "missing. Recipients without \"@\" are completed with @myorigin.\n"
    "\n"
    "Exit status (sysexits.h): 0 queued; 64 bad command line or no recipients;\n"
    "65 bad message or address, message too big; 66 input missing; 69 the mail\n"
    "system is not set up (no maildrop directory); 71 system error (exec failed,\n"
    "...); 73 the drop file cannot be created; 74 read error; 75 temporary failure\n"
    "(disk full, ...): try again later; 78 petrel.conf is broken.\n"
    "See docs/sendmail.md.\n";

/* set_mode - the -b argument */
static int set_mode(const char *arg, struct sendmail_opts *o, const char **error_r)
{
    if (strcmp(arg, "m") == 0)
        o->mode = SENDMAIL_MODE_DELIVER;
    else if (strcmp(arg, "s") == 0)
        o->mode = SENDMAIL_MODE_SMTP;
    else if (strcmp(arg, "p") == 0)
        o->mode = SENDMAIL_MODE_MAILQ;
    else if (strcmp(arg, "i") == 0)
        o->mode = SENDMAIL_MODE_ALIASES;
    else
        return errf(error_r, "unsupported mode -b%s", arg);
    return 0;
}

/* mode_from_name - mailq and newaliases by the basename of argv[0] */
static enum sendmail_mode mode_from_name(const char *argv0)
{
    const char *base = argv0 == NULL ? "" : strrchr(argv0, '/');

    base = base == NULL ? argv0 : base + 1;
    if (strcmp(base, "mailq") == 0)
        return SENDMAIL_MODE_MAILQ;
    if (strcmp(base, "newaliases") == 0)
        return SENDMAIL_MODE_ALIASES;
    return SENDMAIL_MODE_DELIVER;
}

/* sendmail_opts_parse - see sendmail_opts.h */
int sendmail_opts_parse(int argc, char **argv, struct sendmail_opts *o, const char **error_r)
{
    int c;

    *o = (struct sendmail_opts){ .dot_ends = true };
    o->mode = mode_from_name(argc > 0 ? argv[0] : NULL);
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        o->mode = SENDMAIL_MODE_HELP;
        return 0;
    }
    optind = 0; /* a full reset of GNU getopt: the tests parse many times */
    opterr = 0;
    while ((c = getopt(argc, argv, "+:B:C:F:GIL:N:O:R:UV:X:b:f:h:io:r:tv")) != -1) {
        switch (c) {
        case 'b':
            if (set_mode(optarg, o, error_r) < 0)
                return -1;
            break;
        case 'I':
            o->mode = SENDMAIL_MODE_ALIASES;
            break;
        case 'C':
            o->config_dir = optarg;
            break;
        case 'f':
        case 'r':
            o->sender = optarg;
            break;
        case 'F':
            o->full_name = optarg;
            break;
        case 'i':
            o->dot_ends = false;
            break;
        case 'o':
            if (strcmp(optarg, "i") == 0)
                o->dot_ends = false;
            break;
        case 't':
            o->extract = true;
            break;
        case 'v':
            o->verbose = true;
            break;
        case 'B':
        case 'G':
        case 'L':
        case 'N':
        case 'O':
        case 'R':
        case 'U':
        case 'V':
        case 'X':
        case 'h':
            break;
        case ':':
            return errf(error_r, "option -%c needs a value", optopt);
        default:
            return errf(error_r, "unknown option -%c", optopt);
        }
    }
    o->rcpts = argv + optind;
    o->nrcpts = argc - optind;
    return 0;
}
