#ifndef MOTCUA_SQLITE_VFS_H
#define MOTCUA_SQLITE_VFS_H

/// Registers the "motcua" VFS as SQLite's default, once per process: the platform's VFS with the
/// write-ahead log's frames gathered into one write per commit (see MotCuaSQLiteVFS.c).
/// Returns an SQLite result code.
int motcua_vfs_register(void);

/// For the log file open now at `path` (the full path of a "-wal" file), summed over the
/// connections that opened it: the writes SQLite made to it, and the writes that reached the
/// operating system for them. Returns 0 when no connection has it open.
int motcua_vfs_log_counters(const char *path, unsigned long long *logWrites, unsigned long long *systemWrites);

#endif
