#define _GNU_SOURCE
#include "CLinuxShim.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <fiu-local.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

int cshim_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid) {
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -errno;
    *pid = cred.pid;
    *uid = cred.uid;
    *gid = cred.gid;
    return 0;
}

int cshim_peer_groups(int fd, gid_t *groups, int capacity) {
    socklen_t len = (socklen_t)(capacity * sizeof(gid_t));
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0) {
        if (errno == ERANGE) return (int)(len / sizeof(gid_t));  /* len now says how much room is needed */
        return -errno;
    }
    return (int)(len / sizeof(gid_t));
}

int cshim_accept_nonblocking(int fd) {
    return accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
}

#ifdef FIU_ENABLE
/* The errno of an injected failure: the point's failinfo if given, else an I/O or space error. */
static int injected_errno(void) {
    static const int choices[] = {EIO, ENOSPC, EDQUOT};
    intptr_t info = (intptr_t)fiu_failinfo();
    return info > 0 ? (int)info : choices[rand() % 3];
}
#define FAIL_POINT(name) fiu_do_on(name, { errno = injected_errno(); return -1; })

/* fiu_run_preload initialises libfiu too; doing it again is harmless, and without fiu-run it must be. */
__attribute__((constructor)) static void cshim_fiu_init(void) {
    fiu_init(0);
}
#else
#define FAIL_POINT(name)
#endif

int cshim_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath) {
    FAIL_POINT("newsinbox/io/renameat2");
    return (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, RENAME_NOREPLACE);
}

int cshim_renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath) {
    FAIL_POINT("newsinbox/io/renameat");
    return renameat(olddirfd, oldpath, newdirfd, newpath);
}

int cshim_syncfs(int fd) {
    FAIL_POINT("newsinbox/io/syncfs");
    return syncfs(fd);
}

int cshim_openat(int dirfd, const char *path, int flags, mode_t mode) {
    FAIL_POINT("newsinbox/io/openat");
    return openat(dirfd, path, flags, mode);
}

int cshim_mkdirat(int dirfd, const char *path, mode_t mode) {
    FAIL_POINT("newsinbox/io/mkdirat");
    return mkdirat(dirfd, path, mode);
}

int cshim_unlinkat(int dirfd, const char *path, int flags) {
    FAIL_POINT("newsinbox/io/unlinkat");
    return unlinkat(dirfd, path, flags);
}

void cshim_line_buffer_stdio(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    setvbuf(stderr, NULL, _IONBF, 0);
}

uint64_t cshim_monotonic_usec(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void cshim_set_thread_name(const char *name) {
    char truncated[16];
    snprintf(truncated, sizeof truncated, "%s", name);
    pthread_setname_np(pthread_self(), truncated);
}

int cshim_fsetxattr(int fd, const char *name, const void *value, size_t size) {
    return fsetxattr(fd, name, value, size, 0);
}

ssize_t cshim_fgetxattr(int fd, const char *name, void *value, size_t size) {
    return fgetxattr(fd, name, value, size);
}
