/* storage_fault: an LD_PRELOAD shim that injects disk faults into LMDB's writes of data.mdb,
 * for the reliability tests (tests/test_reliability_storage_faults.cpp, docs/reliability.md).
 *
 * LEDGER_FAULT_CONTROL names a control file the test rewrites while the server runs; the shim
 * reads it on every intercepted call on data.mdb (commits only, so the cost does not matter):
 *   off            pass everything through (also when the file is missing or empty)
 *   meta_eio       pwrite below offset 8192 (LMDB's two meta pages) fails with EIO
 *   fdatasync_eio  fdatasync and fsync fail with EIO
 *   enospc         data page writes (pwrite/writev at offset 8192 or more) fail with ENOSPC
 *   stall          fdatasync and fsync wait (a stalled disk) until the file says otherwise
 * LEDGER_FAULT_COUNTS, when set, names a file the shim rewrites after every data.mdb write and
 * sync with "fdatasync=N meta_writes=M synced_meta_writes=S": S counts meta page writes through
 * a descriptor opened O_DSYNC/O_SYNC (how LMDB makes its meta page durable without MDB_NOSYNC
 * or MDB_NOMETASYNC). Counts are of this process only.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum fault { fault_off, fault_meta_eio, fault_fdatasync_eio, fault_enospc, fault_stall };

static long synced_data = 0;
static long meta_writes = 0;
static long synced_meta_writes = 0;

static void* next_symbol(char const* name) {
    void* found = dlsym(RTLD_NEXT, name);
    if (found == NULL) {
        fprintf(stderr, "storage_fault: no %s\n", name);
        abort();
    }
    return found;
}

static int is_data_file(int fd) {
    char link[64];
    char target[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t const n = readlink(link, target, sizeof target - 1);
    if (n <= 0) return 0;
    target[n] = '\0';
    size_t const length = (size_t)n;
    static char const suffix[] = "/data.mdb";
    return length >= sizeof suffix - 1 && strcmp(target + length - (sizeof suffix - 1), suffix) == 0;
}

static enum fault current_fault(void) {
    char const* path = getenv("LEDGER_FAULT_CONTROL");
    if (path == NULL) return fault_off;
    ssize_t (*real_read)(int, void*, size_t) = next_symbol("read");
    int const fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fault_off;
    char word[32] = {0};
    ssize_t const n = real_read(fd, word, sizeof word - 1);
    close(fd);
    if (n <= 0) return fault_off;
    if (strncmp(word, "meta_eio", 8) == 0) return fault_meta_eio;
    if (strncmp(word, "fdatasync_eio", 13) == 0) return fault_fdatasync_eio;
    if (strncmp(word, "enospc", 6) == 0) return fault_enospc;
    if (strncmp(word, "stall", 5) == 0) return fault_stall;
    return fault_off;
}

static void write_counts(void) {
    char const* path = getenv("LEDGER_FAULT_COUNTS");
    if (path == NULL) return;
    ssize_t (*real_pwrite)(int, void const*, size_t, off_t) = next_symbol("pwrite");
    int (*real_ftruncate)(int, off_t) = next_symbol("ftruncate");
    char text[128];
    int const length = snprintf(text, sizeof text, "fdatasync=%ld meta_writes=%ld synced_meta_writes=%ld\n",
                                synced_data, meta_writes, synced_meta_writes);
    int const fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    if (real_pwrite(fd, text, (size_t)length, 0) == length) (void)real_ftruncate(fd, length);
    close(fd);
}

static int synced_descriptor(int fd) {
    int const flags = fcntl(fd, F_GETFL);
    return flags >= 0 && (flags & (O_DSYNC | O_SYNC)) != 0;
}

/* Whether a write of data.mdb at `offset` is to fail, and with which errno (0: no). */
static int write_fault(int fd, off_t offset) {
    if (!is_data_file(fd)) return 0;
    enum fault const fault = current_fault();
    if (offset < 8192) {
        __atomic_fetch_add(&meta_writes, 1, __ATOMIC_RELAXED);
        if (synced_descriptor(fd)) __atomic_fetch_add(&synced_meta_writes, 1, __ATOMIC_RELAXED);
        write_counts();
        if (fault == fault_meta_eio) return EIO;
    } else if (fault == fault_enospc) {
        return ENOSPC;
    }
    return 0;
}

ssize_t pwrite(int fd, void const* buffer, size_t count, off_t offset) {
    ssize_t (*real)(int, void const*, size_t, off_t) = next_symbol("pwrite");
    int const failure = write_fault(fd, offset);
    if (failure != 0) {
        errno = failure;
        return -1;
    }
    return real(fd, buffer, count, offset);
}

ssize_t pwrite64(int fd, void const* buffer, size_t count, off_t offset) {
    return pwrite(fd, buffer, count, offset);
}

ssize_t writev(int fd, struct iovec const* vectors, int count) {
    ssize_t (*real)(int, struct iovec const*, int) = next_symbol("writev");
    off_t const offset = lseek(fd, 0, SEEK_CUR);
    int const failure = offset < 0 ? 0 : write_fault(fd, offset);
    if (failure != 0) {
        errno = failure;
        return -1;
    }
    return real(fd, vectors, count);
}

static int sync_fault(int fd) {
    if (!is_data_file(fd)) return 0;
    __atomic_fetch_add(&synced_data, 1, __ATOMIC_RELAXED);
    write_counts();
    while (current_fault() == fault_stall) usleep(10000);
    return current_fault() == fault_fdatasync_eio ? EIO : 0;
}

int fdatasync(int fd) {
    int (*real)(int) = next_symbol("fdatasync");
    int const failure = sync_fault(fd);
    if (failure != 0) {
        errno = failure;
        return -1;
    }
    return real(fd);
}

int fsync(int fd) {
    int (*real)(int) = next_symbol("fsync");
    int const failure = sync_fault(fd);
    if (failure != 0) {
        errno = failure;
        return -1;
    }
    return real(fd);
}
