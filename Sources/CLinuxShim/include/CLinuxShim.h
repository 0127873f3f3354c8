#ifndef CLINUXSHIM_H
#define CLINUXSHIM_H

#include <stdint.h>
#include <sys/types.h>

/* What Glibc's Swift overlay does not import without _GNU_SOURCE. */

/// Peer credentials of a connected Unix socket (SO_PEERCRED). Returns 0 or -errno.
int cshim_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid);

/// accept4(2) with SOCK_CLOEXEC | SOCK_NONBLOCK.
int cshim_accept_nonblocking(int fd);

/// renameat2(2) with RENAME_NOREPLACE: fails with EEXIST instead of replacing the target.
int cshim_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);

/// syncfs(2): commit every dirty page and inode of the filesystem holding `fd` (one round of syncs
/// for a whole batch of outputs). Returns 0 or -1 with errno.
int cshim_syncfs(int fd);

/// fsetxattr(2) / fgetxattr(2) (<sys/xattr.h> is not imported by Glibc): the write stage names an
/// output's source in `user.newsinbox.source`. Return 0 / the value's length, or -1 with errno.
int cshim_fsetxattr(int fd, const char *name, const void *value, size_t size);
ssize_t cshim_fgetxattr(int fd, const char *name, void *value, size_t size);

/// Line-buffer stdout and stderr (Swift's stdout is block-buffered under systemd).
void cshim_line_buffer_stdio(void);

/// The monotonic clock in microseconds, as systemd's MONOTONIC_USEC wants it.
uint64_t cshim_monotonic_usec(void);

#endif
