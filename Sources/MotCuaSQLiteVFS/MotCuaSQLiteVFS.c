// A VFS shim over the platform's default VFS that gathers the write-ahead log's frames.
//
// SQLite appends each frame of a commit to the log as two writes (a 24-byte frame header, then
// the page), so a commit of 80 pages costs 160 system calls, each taking the file's lock in the
// kernel. This shim keeps the writes of a log file that follow each other in a buffer and hands
// them to the real VFS in a few large writes (124 KiB each, the unix VFS's limit being 128 KiB):
//   - once the page of a commit frame has been written (a frame header whose "database size
//     after commit" field is not zero marks it), so a commit is in the file before SQLite
//     publishes it in the WAL index and before it returns;
//   - before any other operation on that file: sync, read, truncate, size, file control, close;
//   - before a write that does not continue the buffer, and when the buffer would pass 8 MiB.
// The order of the writes is never changed, only when they reach the system, and nothing a
// reader (this connection or another) can look at is ever held back: other connections read
// only committed frames. The database file, the WAL index and every other file are untouched.
#include <sqlite3.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "MotCuaSQLiteVFS.h"

#define MAX_BUFFER (8 << 20)

typedef struct GatherFile {
    sqlite3_file base;
    sqlite3_file *real;          // the real VFS's file, allocated right after this struct
    int isLog;
    int commitPending;           // the last header buffered was a commit frame's
    unsigned char *buffer;
    sqlite3_int64 start;         // file offset of buffer[0]
    int length;
    int capacity;
    const char *name;            // valid until xClose (SQLite's guarantee)
    unsigned long long logWrites, systemWrites;
    struct GatherFile *nextLog;  // in the list of open log files
} GatherFile;

static sqlite3_vfs *realVFS;
static sqlite3_vfs gatherVFS;
static pthread_mutex_t logFilesLock = PTHREAD_MUTEX_INITIALIZER;
static GatherFile *logFiles;

static void countSystemWrite(GatherFile *f) {
    __atomic_add_fetch(&f->systemWrites, 1, __ATOMIC_RELAXED);
}

// The unix VFS writes at most 128 KiB - 1 bytes a call (it masks larger sizes), so a buffer goes
// out in pieces of 124 KiB.
#define MAX_WRITE (124 << 10)

static int flush(GatherFile *f) {
    int length = f->length;
    f->length = 0;
    f->commitPending = 0;
    for (int done = 0; done < length; done += MAX_WRITE) {
        int piece = length - done < MAX_WRITE ? length - done : MAX_WRITE;
        countSystemWrite(f);
        int rc = f->real->pMethods->xWrite(f->real, f->buffer + done, piece, f->start + done);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

static int gatherClose(sqlite3_file *p) {
    GatherFile *f = (GatherFile *)p;
    int rc = flush(f);
    int closed = f->real->pMethods->xClose(f->real);
    if (f->isLog) {
        pthread_mutex_lock(&logFilesLock);
        for (GatherFile **link = &logFiles; *link; link = &(*link)->nextLog) {
            if (*link == f) { *link = f->nextLog; break; }
        }
        pthread_mutex_unlock(&logFilesLock);
    }
    free(f->buffer);
    f->buffer = NULL;
    return rc != SQLITE_OK ? rc : closed;
}

static int gatherRead(sqlite3_file *p, void *data, int amount, sqlite3_int64 offset) {
    GatherFile *f = (GatherFile *)p;
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xRead(f->real, data, amount, offset);
}

static int gatherWrite(sqlite3_file *p, const void *data, int amount, sqlite3_int64 offset) {
    GatherFile *f = (GatherFile *)p;
    if (!f->isLog) return f->real->pMethods->xWrite(f->real, data, amount, offset);
    __atomic_add_fetch(&f->logWrites, 1, __ATOMIC_RELAXED);
    int rc;
    if (f->length > 0 && (offset != f->start + f->length || f->length + amount > MAX_BUFFER)) {
        if ((rc = flush(f)) != SQLITE_OK) return rc;
    }
    if (f->length + amount > f->capacity) {
        int capacity = f->capacity ? f->capacity : 64 << 10;
        while (capacity < f->length + amount && capacity < MAX_BUFFER) capacity *= 2;
        unsigned char *grown = capacity >= f->length + amount ? realloc(f->buffer, capacity) : NULL;
        if (grown == NULL) {
            // Too large or no memory: this write goes straight through, in order.
            if ((rc = flush(f)) != SQLITE_OK) return rc;
            countSystemWrite(f);
            f->commitPending = 0;
            return f->real->pMethods->xWrite(f->real, data, amount, offset);
        }
        f->buffer = grown;
        f->capacity = capacity;
    }
    if (f->length == 0) f->start = offset;
    memcpy(f->buffer + f->length, data, amount);
    f->length += amount;
    if (amount == 24) {
        // A frame header: bytes 4-7 hold the database size after commit, zero for other frames.
        const unsigned char *h = data;
        if (h[4] | h[5] | h[6] | h[7]) f->commitPending = 1;
        return SQLITE_OK;
    }
    return f->commitPending ? flush(f) : SQLITE_OK;
}

static int gatherTruncate(sqlite3_file *p, sqlite3_int64 size) {
    GatherFile *f = (GatherFile *)p;
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int gatherSync(sqlite3_file *p, int flags) {
    GatherFile *f = (GatherFile *)p;
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int gatherFileSize(sqlite3_file *p, sqlite3_int64 *size) {
    GatherFile *f = (GatherFile *)p;
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int gatherLock(sqlite3_file *p, int lock) {
    GatherFile *f = (GatherFile *)p;
    return f->real->pMethods->xLock(f->real, lock);
}

static int gatherUnlock(sqlite3_file *p, int lock) {
    GatherFile *f = (GatherFile *)p;
    return f->real->pMethods->xUnlock(f->real, lock);
}

static int gatherCheckReservedLock(sqlite3_file *p, int *out) {
    GatherFile *f = (GatherFile *)p;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int gatherFileControl(sqlite3_file *p, int op, void *arg) {
    GatherFile *f = (GatherFile *)p;
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xFileControl(f->real, op, arg);
}

static int gatherSectorSize(sqlite3_file *p) {
    GatherFile *f = (GatherFile *)p;
    return f->real->pMethods->xSectorSize(f->real);
}

static int gatherDeviceCharacteristics(sqlite3_file *p) {
    GatherFile *f = (GatherFile *)p;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int gatherShmMap(sqlite3_file *p, int region, int size, int extend, void volatile **out) {
    GatherFile *f = (GatherFile *)p;
    return f->real->pMethods->xShmMap(f->real, region, size, extend, out);
}

static int gatherShmLock(sqlite3_file *p, int offset, int n, int flags) {
    GatherFile *f = (GatherFile *)p;
    return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void gatherShmBarrier(sqlite3_file *p) {
    GatherFile *f = (GatherFile *)p;
    f->real->pMethods->xShmBarrier(f->real);
}

static int gatherShmUnmap(sqlite3_file *p, int deleteFlag) {
    GatherFile *f = (GatherFile *)p;
    return f->real->pMethods->xShmUnmap(f->real, deleteFlag);
}

static int gatherFetch(sqlite3_file *p, sqlite3_int64 offset, int amount, void **out) {
    GatherFile *f = (GatherFile *)p;
    return f->real->pMethods->xFetch(f->real, offset, amount, out);
}

static int gatherUnfetch(sqlite3_file *p, sqlite3_int64 offset, void *page) {
    GatherFile *f = (GatherFile *)p;
    return f->real->pMethods->xUnfetch(f->real, offset, page);
}

static const sqlite3_io_methods gatherMethods1 = {
    1, gatherClose, gatherRead, gatherWrite, gatherTruncate, gatherSync, gatherFileSize, gatherLock, gatherUnlock,
    gatherCheckReservedLock, gatherFileControl, gatherSectorSize, gatherDeviceCharacteristics,
    NULL, NULL, NULL, NULL, NULL, NULL,
};
static const sqlite3_io_methods gatherMethods2 = {
    2, gatherClose, gatherRead, gatherWrite, gatherTruncate, gatherSync, gatherFileSize, gatherLock, gatherUnlock,
    gatherCheckReservedLock, gatherFileControl, gatherSectorSize, gatherDeviceCharacteristics,
    gatherShmMap, gatherShmLock, gatherShmBarrier, gatherShmUnmap, NULL, NULL,
};
static const sqlite3_io_methods gatherMethods3 = {
    3, gatherClose, gatherRead, gatherWrite, gatherTruncate, gatherSync, gatherFileSize, gatherLock, gatherUnlock,
    gatherCheckReservedLock, gatherFileControl, gatherSectorSize, gatherDeviceCharacteristics,
    gatherShmMap, gatherShmLock, gatherShmBarrier, gatherShmUnmap, gatherFetch, gatherUnfetch,
};

static int gatherOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *p, int flags, int *outFlags) {
    (void)vfs;
    GatherFile *f = (GatherFile *)p;
    memset(f, 0, sizeof(GatherFile));
    f->real = (sqlite3_file *)&f[1];
    f->isLog = (flags & SQLITE_OPEN_WAL) != 0;
    int rc = realVFS->xOpen(realVFS, name, f->real, flags, outFlags);
    const sqlite3_io_methods *real = f->real->pMethods;
    if (real == NULL) {
        p->pMethods = NULL;
        return rc;
    }
    p->pMethods = real->iVersion >= 3 ? &gatherMethods3 : real->iVersion == 2 ? &gatherMethods2 : &gatherMethods1;
    if (f->isLog) {
        f->name = name;
        pthread_mutex_lock(&logFilesLock);
        f->nextLog = logFiles;
        logFiles = f;
        pthread_mutex_unlock(&logFilesLock);
    }
    return rc;
}

static int gatherDelete(sqlite3_vfs *vfs, const char *name, int syncDir) {
    (void)vfs;
    return realVFS->xDelete(realVFS, name, syncDir);
}

static int gatherAccess(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
    (void)vfs;
    return realVFS->xAccess(realVFS, name, flags, out);
}

static int gatherFullPathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    return realVFS->xFullPathname(realVFS, name, size, out);
}

static void *gatherDlOpen(sqlite3_vfs *vfs, const char *path) {
    (void)vfs;
    return realVFS->xDlOpen(realVFS, path);
}

static void gatherDlError(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    realVFS->xDlError(realVFS, size, out);
}

static void (*gatherDlSym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void) {
    (void)vfs;
    return realVFS->xDlSym(realVFS, handle, symbol);
}

static void gatherDlClose(sqlite3_vfs *vfs, void *handle) {
    (void)vfs;
    realVFS->xDlClose(realVFS, handle);
}

static int gatherRandomness(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return realVFS->xRandomness(realVFS, size, out);
}

static int gatherSleep(sqlite3_vfs *vfs, int microseconds) {
    (void)vfs;
    return realVFS->xSleep(realVFS, microseconds);
}

static int gatherCurrentTime(sqlite3_vfs *vfs, double *out) {
    (void)vfs;
    return realVFS->xCurrentTime(realVFS, out);
}

static int gatherGetLastError(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return realVFS->xGetLastError ? realVFS->xGetLastError(realVFS, size, out) : 0;
}

static int gatherCurrentTimeInt64(sqlite3_vfs *vfs, sqlite3_int64 *out) {
    (void)vfs;
    return realVFS->xCurrentTimeInt64(realVFS, out);
}

int motcua_vfs_register(void) {
    if (sqlite3_vfs_find("motcua") != NULL) return SQLITE_OK;
    sqlite3_vfs *real = sqlite3_vfs_find(NULL);
    if (real == NULL) return SQLITE_ERROR;
    realVFS = real;
    gatherVFS.iVersion = 2;
    gatherVFS.szOsFile = (int)sizeof(GatherFile) + real->szOsFile;
    gatherVFS.mxPathname = real->mxPathname;
    gatherVFS.zName = "motcua";
    gatherVFS.xOpen = gatherOpen;
    gatherVFS.xDelete = gatherDelete;
    gatherVFS.xAccess = gatherAccess;
    gatherVFS.xFullPathname = gatherFullPathname;
    gatherVFS.xDlOpen = gatherDlOpen;
    gatherVFS.xDlError = gatherDlError;
    gatherVFS.xDlSym = gatherDlSym;
    gatherVFS.xDlClose = gatherDlClose;
    gatherVFS.xRandomness = gatherRandomness;
    gatherVFS.xSleep = gatherSleep;
    gatherVFS.xCurrentTime = gatherCurrentTime;
    gatherVFS.xGetLastError = gatherGetLastError;
    gatherVFS.xCurrentTimeInt64 = real->iVersion >= 2 && real->xCurrentTimeInt64 ? gatherCurrentTimeInt64 : NULL;
    return sqlite3_vfs_register(&gatherVFS, 1);
}

int motcua_vfs_log_counters(const char *path, unsigned long long *outLogWrites, unsigned long long *outSystemWrites) {
    int found = 0;
    *outLogWrites = 0;
    *outSystemWrites = 0;
    pthread_mutex_lock(&logFilesLock);
    for (GatherFile *f = logFiles; f; f = f->nextLog) {
        if (f->name && strcmp(f->name, path) == 0) {
            *outLogWrites += __atomic_load_n(&f->logWrites, __ATOMIC_RELAXED);
            *outSystemWrites += __atomic_load_n(&f->systemWrites, __ATOMIC_RELAXED);
            found = 1;
        }
    }
    pthread_mutex_unlock(&logFilesLock);
    return found;
}
