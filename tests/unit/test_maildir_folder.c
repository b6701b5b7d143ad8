/* SPDX-License-Identifier: MIT
 * test_maildir_folder - Maildir++ folders: name to directory mapping with
 * both separators, every refused name with its reason (THREATS row 57,
 * fuzz_mailbox_path), paths always children of the root, the layout on
 * disk as Dovecot expects it (modes 0700 whatever the umask, the
 * "maildirfolder" file, INBOX as the root), and symlinks planted in the
 * store never followed: the operation fails and nothing is created at the
 * symlink's target.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir/maildir_folder.h"
#include "test.h"

struct map_case {
    const char *name;
    char sep;
    const char *result; /* the directory, or the error */
    int ret;
};

static const struct map_case map_cases[] = {
    { "INBOX", '/', "", 0 },
    { "inbox", '.', "", 0 },
    { "Sent", '/', ".Sent", 0 },
    { "Parent/Child", '/', ".Parent.Child", 0 },
    { "Parent.Child", '.', ".Parent.Child", 0 },
    { "A/B/C", '/', ".A.B.C", 0 },
    { "INBOX/x", '/', ".INBOX.x", 0 },
    { "&AOQ-b", '/', ".&AOQ-b", 0 },
    { "new", '/', ".new", 0 },
    { "Sent Items", '/', ".Sent Items", 0 },
    { "~root", '/', ".~root", 0 },
    { "", '/', "empty folder name", -1 },
    { "../x", '/', "\"..\" in folder name", -1 },
    { "a/../b", '/', "\"..\" in folder name", -1 },
    { "..", '.', "\"..\" in folder name", -1 },
    { "a..b", '.', "\"..\" in folder name", -1 },
    { ".x", '/', "folder name starts with '.'", -1 },
    { "./x", '/', "folder name starts with '.'", -1 },
    { ".x", '.', "folder name starts with '.'", -1 },
    { "/etc/x", '/', "folder name starts with the separator '/'", -1 },
    { "a//b", '/', "empty component in folder name", -1 },
    { "a/", '/', "empty component in folder name", -1 },
    { "a.", '.', "empty component in folder name", -1 },
    { "a/b", '.', "'/' in folder name", -1 },
    { "/etc", '.', "'/' in folder name", -1 },
    { "a.b", '/', "'.' in folder name (it separates levels on disk)", -1 },
    { "a/b.", '/', "'.' in folder name (it separates levels on disk)", -1 },
    { "a\tb", '/', "control byte 0x09 in folder name", -1 },
    { "a\nb", '/', "control byte 0x0a in folder name", -1 },
    { "a\x7f", '/', "control byte 0x7f in folder name", -1 },
    { "caf\xc3\xa9", '/', "non-ASCII byte 0xc3 in folder name (encode it in modified UTF-7)", -1 },
    { "x", 'a', "invalid folder separator 0x61", -1 },
    { "x", '\0', "invalid folder separator 0x00", -1 },
    { "x", ' ', "invalid folder separator 0x20", -1 },
};

/* test_map - names to directories, and every refusal */
static void test_map(void)
{
    size_t i;

    for (i = 0; i < sizeof(map_cases) / sizeof(map_cases[0]); i++) {
        const struct map_case *c = &map_cases[i];
        char dir[MAILDIR_FOLDER_NAME_MAX + 1];
        const char *error = NULL;

        if (!EXPECT_INT(maildir_folder_dir(c->name, c->sep, dir, sizeof(dir), &error), c->ret))
            fprintf(stderr, "  case %zu: \"%s\"\n", i, c->name);
        EXPECT_STR(c->ret == 0 ? dir : error, c->result);
        EXPECT_INT(maildir_folder_check(c->name, c->sep, &error), c->ret);
    }
}

/* test_limits - depth and on-disk length, at and past the limit */
static void test_limits(void)
{
    char name[600], dir[MAILDIR_FOLDER_NAME_MAX + 1];
    const char *error = NULL;
    int i;

    name[0] = '\0';
    for (i = 0; i < MAILDIR_FOLDER_DEPTH_MAX; i++)
        snprintf(name + strlen(name), sizeof(name) - strlen(name), "%sa", i ? "/" : "");
    EXPECT_INT(maildir_folder_dir(name, '/', dir, sizeof(dir), &error), 0);
    snprintf(name + strlen(name), sizeof(name) - strlen(name), "/a");
    EXPECT_INT(maildir_folder_dir(name, '/', dir, sizeof(dir), &error), -1);
    EXPECT_STR(error, "folder name deeper than 16 levels");
    /* ".xxx" of 255 bytes is one directory name; 256 is too long */
    memset(name, 'x', 254);
    name[254] = '\0';
    EXPECT_INT(maildir_folder_dir(name, '/', dir, sizeof(dir), &error), 0);
    EXPECT_INT(strlen(dir), 255);
    name[254] = 'x';
    name[255] = '\0';
    EXPECT_INT(maildir_folder_dir(name, '/', dir, sizeof(dir), &error), -1);
    EXPECT_STR(error, "folder name longer than 255 bytes on disk");
    /* a small buffer is an error, not a cut name */
    EXPECT_INT(maildir_folder_dir("Sent", '/', dir, 5, &error), -1);
}

/* test_path - the root joined with the directory */
static void test_path(void)
{
    char path[4096];
    const char *error = NULL;

    EXPECT_INT(maildir_folder_path("/var/mail/vhosts/d/u", "A/B", '/', path, sizeof(path), &error), 0);
    EXPECT_STR(path, "/var/mail/vhosts/d/u/.A.B");
    EXPECT_INT(maildir_folder_path("/var/mail/vhosts/d/u", "INBOX", '/', path, sizeof(path), &error), 0);
    EXPECT_STR(path, "/var/mail/vhosts/d/u");
    EXPECT_INT(maildir_folder_path("/r", "../x", '/', path, sizeof(path), &error), -1);
    EXPECT_STR(error, "\"..\" in folder name");
    EXPECT_INT(maildir_folder_path("", "x", '/', path, sizeof(path), &error), -1);
    EXPECT_STR(error, "empty mail root");
    EXPECT_INT(maildir_folder_path("/var/mail/u", "Sent", '/', path, 12, &error), -1);
    EXPECT_STR(error, "folder path too long under /var/mail/u");
}

/* under - a path below the test directory (static, 4 slots) */
static const char *under(const char *rel)
{
    static char paths[4][4096];
    static int slot;

    slot = (slot + 1) % 4;
    snprintf(paths[slot], sizeof(paths[slot]), "%s/%s", test_tmpdir(), rel);
    return paths[slot];
}

/* mode_of - the permission bits and type of path (not following), or -1 */
static int mode_of(const char *path)
{
    struct stat st;

    if (lstat(path, &st) < 0)
        return -1;
    return (int)(st.st_mode & (S_IFMT | 07777));
}

/* expect_maildir - path is a 0700 maildir with tmp, new and cur */
static void expect_maildir(const char *path)
{
    static const char *const subs[] = { "", "/tmp", "/new", "/cur" };
    char p[4096];
    size_t i;

    for (i = 0; i < 4; i++) {
        snprintf(p, sizeof(p), "%s%s", path, subs[i]);
        if (!EXPECT_INT(mode_of(p), S_IFDIR | 0700))
            fprintf(stderr, "  path %s\n", p);
    }
}

/* test_layout - the root is INBOX, folders are .A.B with maildirfolder */
static void test_layout(void)
{
    char root[2048], marker[4096];
    const char *error = NULL;
    mode_t old = umask(027);

    snprintf(root, sizeof(root), "%s", under("vhosts/example.com/user"));
    EXPECT_INT(maildir_folder_create(root, "INBOX", '/', &error), 0);
    expect_maildir(root);
    snprintf(marker, sizeof(marker), "%s/maildirfolder", root);
    EXPECT_INT(mode_of(marker), -1);
    EXPECT_INT(maildir_folder_create(root, "Parent/Child", '/', &error), 0);
    expect_maildir(under("vhosts/example.com/user/.Parent.Child"));
    EXPECT_INT(mode_of(under("vhosts/example.com/user/.Parent.Child/maildirfolder")), S_IFREG | 0600);
    /* Maildir++ needs no directory for the parent */
    EXPECT_INT(mode_of(under("vhosts/example.com/user/.Parent")), -1);
    /* creating again changes nothing and succeeds */
    EXPECT_INT(maildir_folder_create(root, "Parent.Child", '.', &error), 0);
    EXPECT_INT(maildir_create(root, &error), 0);
    /* a refused name creates nothing */
    EXPECT_INT(maildir_folder_create(root, "../escape", '/', &error), -1);
    EXPECT_STR(error, "\"..\" in folder name");
    EXPECT_INT(mode_of(under("vhosts/example.com/escape")), -1);
    umask(old);
}

/* test_symlinks - a symlink planted in the store is never followed */
static void test_symlinks(void)
{
    char root[2048], target[2048];
    const char *error = NULL;
    int fd;

    snprintf(root, sizeof(root), "%s", under("sym/user"));
    snprintf(target, sizeof(target), "%s", under("elsewhere"));
    EXPECT_INT(mkdir(target, 0700), 0);
    EXPECT_INT(maildir_create(root, &error), 0);
    /* a folder directory that is a symlink */
    EXPECT_INT(symlink(target, under("sym/user/.Evil")), 0);
    EXPECT_INT(maildir_folder_create(root, "Evil", '/', &error), -1);
    EXPECT_CONTAINS(error, "/.Evil is a symbolic link (not followed)");
    EXPECT_INT(mode_of(under("elsewhere/new")), -1);
    EXPECT_INT(mode_of(under("elsewhere/maildirfolder")), -1);
    /* new/ inside a folder that is a symlink */
    EXPECT_INT(mkdir(under("sym/user/.F"), 0700), 0);
    EXPECT_INT(symlink(target, under("sym/user/.F/new")), 0);
    EXPECT_INT(maildir_folder_create(root, "F", '/', &error), -1);
    EXPECT_CONTAINS(error, "/.F/new is a symbolic link (not followed)");
    /* maildirfolder planted as a symlink */
    EXPECT_INT(mkdir(under("sym/user/.G"), 0700), 0);
    EXPECT_INT(symlink(under("elsewhere/m"), under("sym/user/.G/maildirfolder")), 0);
    EXPECT_INT(maildir_folder_create(root, "G", '/', &error), -1);
    EXPECT_CONTAINS(error, "/.G/maildirfolder is not a regular file");
    EXPECT_INT(mode_of(under("elsewhere/m")), -1);
    /* the root itself */
    EXPECT_INT(symlink(target, under("sym/link")), 0);
    EXPECT_INT(maildir_create(under("sym/link"), &error), -1);
    EXPECT_CONTAINS(error, "/sym/link is a symbolic link (not followed)");
    fd = maildir_open_dir(under("sym/link"), &error);
    EXPECT_INT(fd, -1);
    EXPECT_INT(errno, ELOOP);
    EXPECT_INT(mode_of(under("elsewhere/tmp")), -1);
    /* a file where a directory should be */
    fd = open(under("sym/user/.H"), O_WRONLY | O_CREAT | O_EXCL, 0600);
    EXPECT_TRUE(fd >= 0);
    close(fd);
    EXPECT_INT(maildir_folder_create(root, "H", '/', &error), -1);
    EXPECT_CONTAINS(error, "/.H: Not a directory");
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_map),
        TEST_CASE(test_limits),
        TEST_CASE(test_path),
        TEST_CASE(test_layout),
        TEST_CASE(test_symlinks),
        TEST_END,
    });
}
