/* SPDX-License-Identifier: MIT
 * maildir_name - unique Maildir file names, their parsing and their flags.
 *
 * New names follow Dovecot: "SECONDS.M<usec>P<pid>Q<counter>.<host>", and
 * the name in new/ adds ",S=<size>,W=<vsize>". The counter is per process
 * and only grows, so names stay unique within a process even if the clock
 * steps backwards (THREATS F21); the pid keeps processes apart.
 *
 * The parser takes names found in new/ and cur/ (ours, Dovecot's,
 * Courier's, Postfix's): BASE [",S=" N] [",W=" N] [":2," FLAGS]. BASE is
 * 1 to 255 printable ASCII bytes other than '/', ':' and ',', and does not
 * start with '.'. FLAGS are single letters: D F P R S T and the Dovecot
 * keyword letters a-z; the parser accepts any order and repeats, the
 * formatter writes them sorted and once. Everything else is refused with
 * the reason. The whole name is at most MAILDIR_NAME_MAX bytes.
 *
 * Input trusted: none (names come from a directory other programs write).
 * See also: maildir_deliver.h, docs/maildir.md.
 */
#ifndef PETREL_MAILDIR_NAME_H
#define PETREL_MAILDIR_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAILDIR_NAME_MAX 255
/* D F P R S T and a-z, plus a NUL */
#define MAILDIR_FLAGS_MAX 32

#define MAILDIR_FLAG_DRAFT (1u << 0)   /* D */
#define MAILDIR_FLAG_FLAGGED (1u << 1) /* F */
#define MAILDIR_FLAG_PASSED (1u << 2)  /* P */
#define MAILDIR_FLAG_REPLIED (1u << 3) /* R */
#define MAILDIR_FLAG_SEEN (1u << 4)    /* S */
#define MAILDIR_FLAG_TRASHED (1u << 5) /* T */
/* MAILDIR_FLAG_KEYWORD - the bit of Dovecot keyword letter c ('a' to 'z') */
#define MAILDIR_FLAG_KEYWORD(c) (1u << (6 + ((c) - 'a')))

struct maildir_name {
    char base[MAILDIR_NAME_MAX + 1]; /* the unique part */
    bool has_size;                   /* ",S=" present */
    uint64_t size;                   /* file size in bytes */
    bool has_vsize;                  /* ",W=" present */
    uint64_t vsize;                  /* size with CRLF line ends */
    bool has_info;                   /* ":2," present (names in cur/) */
    uint32_t flags;                  /* MAILDIR_FLAG_* bits */
};

/* maildir_host_sanitise - hostname as used in names: '/' becomes "\057",
 * ':' "\072", ',' "\054", and bytes outside 0x21-0x7e "\ooo"; 0, or -1
 * if dst (size bytes) is too small */
int maildir_host_sanitise(const char *host, char *dst, size_t size);

/* maildir_name_format_base - "SEC.M<usec>P<pid>Q<counter>.<host>" from
 * given values (host already sanitised); 0, or -1 when it does not fit */
int maildir_name_format_base(char *dst, size_t size, long long sec, long usec, long pid,
                             unsigned long long counter, const char *host, const char **error_r);

/* maildir_name_new - a new unique base name from the clock, pid, the
 * process counter and the sanitised hostname */
int maildir_name_new(char *dst, size_t size, const char **error_r);

/* maildir_name_parse - parse the len bytes of name into *n_r; 0, or -1
 * with the reason ("'/' in name", "unknown flag 'X'", ...) */
int maildir_name_parse(const char *name, size_t len, struct maildir_name *n_r, const char **error_r);

/* maildir_name_format - write *n as a name (fields, then ":2,FLAGS" if
 * has_info, flags sorted); 0, or -1 when invalid or over the maximum */
int maildir_name_format(const struct maildir_name *n, char *dst, size_t size, const char **error_r);

/* maildir_name_set_flags - the cur/ name for name with exactly flags */
int maildir_name_set_flags(const char *name, uint32_t flags, char *dst, size_t size, const char **error_r);

/* maildir_flags_parse - flag letters into bits (any order, repeats ok) */
int maildir_flags_parse(const char *s, size_t len, uint32_t *flags_r, const char **error_r);

/* maildir_flags_format - bits as letters in ASCII order into dst
 * (MAILDIR_FLAGS_MAX + 1 bytes); returns the length */
size_t maildir_flags_format(uint32_t flags, char *dst);

#endif
