/* SPDX-License-Identifier: MIT
 * paths - where Petrel's programs and shipped files are.
 *
 * Programs find each other relative to their own location, so the build
 * tree, any install prefix and the packaged paths all work without
 * configuration: the prefix is the directory above sbin/ (for petrel) or
 * above lib/petrel/ (for the daemons); daemons live in PREFIX/lib/petrel,
 * the petrel program in PREFIX/sbin, shipped files in PREFIX/share/petrel.
 * The parameter daemon_directory overrides the daemon location.
 */
#ifndef PETREL_MAIL_PATHS_H
#define PETREL_MAIL_PATHS_H

struct params;

/* paths_prefix - the installation prefix of the running program */
const char *paths_prefix(void);
/* paths_daemon_dir - daemon_directory, or PREFIX/lib/petrel when it is empty */
const char *paths_daemon_dir(const struct params *p);
/* paths_share_dir - PREFIX/share/petrel (shipped configuration templates) */
const char *paths_share_dir(void);
/* paths_petrel_program - PREFIX/sbin/petrel */
const char *paths_petrel_program(void);

#endif
