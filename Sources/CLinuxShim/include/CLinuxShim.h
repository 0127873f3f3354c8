#ifndef CLINUXSHIM_H
#define CLINUXSHIM_H

#include <stdint.h>
#include <sys/types.h>

/* What Glibc's Swift overlay does not import without _GNU_SOURCE. */

/// Peer credentials of a connected Unix socket (SO_PEERCRED). Returns 0 or -errno.
int cshim_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid);

/// The supplementary groups of a connected Unix socket's peer, as they were when it connected
/// (SO_PEERGROUPS, Linux 4.13). Fills up to `capacity` and returns how many there are (more than
/// `capacity`: call again with room for that many), or -errno.
int cshim_peer_groups(int fd, gid_t *groups, int capacity);

/// accept4(2) with SOCK_CLOEXEC | SOCK_NONBLOCK.
int cshim_accept_nonblocking(int fd);

/* The *at calls and syncfs the daemon's spool and output use. libfiu's POSIX preload (fiu-run -x)
   does not wrap them, so in debug builds (FIU_ENABLE) each has a libfiu failure point of its own,
   enabled like the preload's: fiu-run -x -c "enable_random name=newsinbox/io/*,probability=P".
   An injected failure returns -1 with errno = the point's failinfo, or one of EIO, ENOSPC, EDQUOT.
   Release builds have no failure points and do not link libfiu. */

/// renameat2(2) with RENAME_NOREPLACE: fails with EEXIST instead of replacing the target.
/// Failure point newsinbox/io/renameat2.
int cshim_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);

/// renameat(2), replacing the target. Failure point newsinbox/io/renameat.
int cshim_renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);

/// syncfs(2): commit every dirty page and inode of the filesystem holding `fd` (one round of syncs
/// for a whole batch of outputs). Returns 0 or -1 with errno. Failure point newsinbox/io/syncfs.
int cshim_syncfs(int fd);

/// openat(2). Failure point newsinbox/io/openat.
int cshim_openat(int dirfd, const char *path, int flags, mode_t mode);

/// mkdirat(2) (dirfd AT_FDCWD for mkdir). Failure point newsinbox/io/mkdirat.
int cshim_mkdirat(int dirfd, const char *path, mode_t mode);

/// unlinkat(2). Failure point newsinbox/io/unlinkat.
int cshim_unlinkat(int dirfd, const char *path, int flags);

/// fsetxattr(2) / fgetxattr(2) (<sys/xattr.h> is not imported by Glibc): the write stage names an
/// output's source in `user.newsinbox.source`. Return 0 / the value's length, or -1 with errno.
int cshim_fsetxattr(int fd, const char *name, const void *value, size_t size);
ssize_t cshim_fgetxattr(int fd, const char *name, void *value, size_t size);

/// Line-buffer stdout and stderr (Swift's stdout is block-buffered under systemd).
void cshim_line_buffer_stdio(void);

/// The monotonic clock in microseconds, as systemd's MONOTONIC_USEC wants it.
uint64_t cshim_monotonic_usec(void);

/// Names the calling thread (pthread_setname_np needs _GNU_SOURCE); the kernel keeps 15 bytes.
void cshim_set_thread_name(const char *name);

#endif
